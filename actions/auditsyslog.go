package actions

import (
	"log/syslog"
	"sync"
)

// defaultSyslogSocket is where syslog and journald listen.
const defaultSyslogSocket = "/dev/log"

// sysLog copies audit entries to the system log as hacon[pid], at
// authpriv.notice, so a record survives an edit of the local file. Where
// there is no system log (a container, a test) nothing is sent and
// nothing fails: the file is the record, the copy is a witness.
type sysLog struct {
	socket string
	mu     sync.Mutex
	w      *syslog.Writer
}

func newSysLog(socket string) *sysLog { return &sysLog{socket: socket} }

// send writes one entry, dialling (again) when needed.
func (s *sysLog) send(line []byte) {
	if s == nil || s.socket == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		if s.w == nil {
			w, err := syslog.Dial("unixgram", s.socket, syslog.LOG_AUTHPRIV|syslog.LOG_NOTICE, "hacon")
			if err != nil {
				return
			}
			s.w = w
		}
		if err := s.w.Notice(string(line)); err == nil {
			return
		}
		s.w.Close()
		s.w = nil // the daemon restarted: dial once more
	}
}
