package news

// RenderBody exposes renderBody to the tests.
func RenderBody(src string) string {
	out, err := renderBody(src)
	if err != nil {
		panic(err)
	}
	return out
}

// InAudience is the SQL condition that person pe is addressed by post p.
const InAudience = inAudience
