package resources

// agsState is the scores' service (LTI Assignment and Grade Services) and the grades module
// their line items become drafts in.
type agsState struct{}
