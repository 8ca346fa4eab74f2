package dashscope

// ErrorCode returns the API's error code, e.g. "Throttling.RateQuota". It
// lets callers that must not import this package (the executor) record the
// code through a small interface of their own.
func (e *Error) ErrorCode() string { return e.Code }
