// Package views turns the cluster model into screen lines: pure functions
// from a cluster.Cluster (and a little view state) to []Line for a width
// and height. They do no I/O, hold no state and know no keys; tui owns the
// state and input and calls them, and the tests call them directly.
//
// A Line is a row of Spans, each plain text with a semantic Class (OK,
// Warn, Crit, Stale, …). Views build and measure plain spans first and
// style them last, in Compose with a theme's Styles, so width arithmetic
// never sees escape codes and every screen can be checked as plain text
// (the golden files). Every state reads as a Mark: a glyph and a word that
// tell it apart without colour.
//
// The screens: Overview (the service × controller matrix with nodes, VIPs
// and alerts below), ServiceDetail, NodeDetail, HAProxy, Timeline, Help,
// Wall, and the action dialogs; Header and Footer frame each of them, and
// Markdown writes the export. What changed and when is not rendering: it
// lives in package timeline, and views only draws its events.
package views
