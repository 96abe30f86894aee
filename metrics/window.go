package metrics

import (
	"bytes"
	"context"
	"fmt"

	"github.com/perflab/perflab/results"
)

// FiguresFile is the file a run writes its Figures into (the JSON of
// `perflab metrics snapshot --json`, over the run's window).
const FiguresFile = "perflab-apiserver-figures.json"

// FigureWindow is a scrape taken when a run starts; Finish scrapes again
// and writes the Figures of the window between into the run's directory.
type FigureWindow struct {
	target Target
	before *Snapshot
}

// StartFigureWindow scrapes t now.
func StartFigureWindow(ctx context.Context, t Target) (*FigureWindow, error) {
	s, err := Scrape(ctx, t)
	if err != nil {
		return nil, err
	}
	return &FigureWindow{target: t, before: s}, nil
}

// Finish scrapes again and writes FiguresFile into dir.
func (w *FigureWindow) Finish(ctx context.Context, dir string) error {
	after, err := Scrape(ctx, w.target)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := ComputeFigures(Delta(w.before, after)).WriteJSON(&b); err != nil {
		return fmt.Errorf("figures: %w", err)
	}
	d, err := results.NewDir(dir)
	if err != nil {
		return err
	}
	return d.WriteFile(FiguresFile, b.Bytes())
}
