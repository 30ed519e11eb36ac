package directory

import "io"

// CSVText reads a CSV upload of another module (the timetable's) as the directory's own CSV
// import does: UTF-8 with or without BOM, or Windows-1252; anything else is refused in French
// naming the file.
func CSVText(name string, r io.Reader) (string, error) { return csvText(File{Name: name, R: r}) }

// CSVProblem says in French what Go's CSV reader refused.
func CSVProblem(err error) string { return csvProblem(err) }
