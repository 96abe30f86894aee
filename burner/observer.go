package burner

import (
	"context"
	"time"
)

// JobWindow is when one job ran, for observers that collect metrics over it.
type JobWindow struct {
	Name       string
	UUID       string
	Start, End time.Time
}

// JobObserver is told about each finished job (the metrics engine scrapes
// Prometheus over the window and evaluates alerts). JobFinished must return
// when ctx is canceled; its error marks the run failed with the error's exit
// code (exitcode.With), e.g. exitcode.Alert.
type JobObserver interface {
	JobFinished(ctx context.Context, w JobWindow) error
}
