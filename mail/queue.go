package mail

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authd/authd/models"
)

// QueueOptions tunes delivery.
type QueueOptions struct {
	Workers        int           // concurrent deliveries (default 2)
	Capacity       int           // messages waiting at most (default 1000)
	InitialBackoff time.Duration // first retry delay (default 1s)
	MaxBackoff     time.Duration // retry delay cap (default 30s)
	SendTimeout    time.Duration // one delivery attempt (default 30s)
	Now            func() time.Time
	Logger         *slog.Logger
	OnFailure      func()    // called for each failed delivery attempt (metrics); may be nil
	Renderer       *Renderer // nil: the embedded templates, unbranded
}

// Queue delivers messages in the background. A message waiting for its retry sits
// on a timer, not on a worker, so one bad recipient cannot stall the others. The
// queue lives in memory: a graceful Close flushes it, a killed process loses it.
type Queue struct {
	driver   Driver
	render   *Renderer
	o        QueueOptions
	ready    chan *item
	done     chan struct{} // closed when workers must stop
	workers  sync.WaitGroup
	pending  atomic.Int64 // accepted and neither delivered nor dropped
	closed   atomic.Bool
	stopOnce sync.Once
}

type item struct {
	msg     Message
	attempt int
}

// NewQueue builds a queue over d; Start starts delivering.
func NewQueue(d Driver, o QueueOptions) *Queue {
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.Capacity <= 0 {
		o.Capacity = 1000
	}
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	r := o.Renderer
	if r == nil {
		var err error
		if r, err = NewRenderer(o.Now); err != nil {
			panic(err) // embedded templates that do not parse are a build defect
		}
	}
	return &Queue{driver: d, render: r, o: o, ready: make(chan *item, o.Capacity), done: make(chan struct{})}
}

// Start launches the workers.
func (q *Queue) Start() {
	for range q.o.Workers {
		q.workers.Add(1)
		go q.work()
	}
}

// SendCode renders c and queues it; it never waits for the mail server.
func (q *Queue) SendCode(_ context.Context, c models.CodeEmail) error {
	m, err := q.render.Render(c)
	if err != nil {
		return models.Internal(err)
	}
	return q.Enqueue(m)
}

// SendInvite renders an invitation and queues it.
func (q *Queue) SendInvite(_ context.Context, i models.InviteEmail) error {
	m, err := q.render.RenderInvite(i)
	if err != nil {
		return models.Internal(err)
	}
	return q.Enqueue(m)
}

// SendNotice renders a security notice and queues it.
func (q *Queue) SendNotice(_ context.Context, n models.NoticeEmail) error {
	m, err := q.render.RenderNotice(n)
	if err != nil {
		return models.Internal(err)
	}
	return q.Enqueue(m)
}

// Enqueue queues m, or refuses at once when the queue is closed or full.
func (q *Queue) Enqueue(m Message) error {
	if q.closed.Load() {
		return models.E(models.KindUnavailable, "mail queue is closed")
	}
	q.pending.Add(1)
	select {
	case q.ready <- &item{msg: m}:
		return nil
	default:
		q.pending.Add(-1)
		return models.E(models.KindUnavailable, "mail queue is full")
	}
}

// Depth is how many messages are waiting or being retried.
func (q *Queue) Depth() int { return int(q.pending.Load()) }

// Close stops accepting mail and keeps delivering what is queued, retries included,
// until it is all sent or dropped, or ctx ends; then it stops the workers.
func (q *Queue) Close(ctx context.Context) error {
	q.closed.Store(true)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var err error
	for q.pending.Load() > 0 && err == nil {
		select {
		case <-ctx.Done():
			err = ctx.Err()
			q.o.Logger.Warn("mail queue closed with undelivered messages", "undelivered", q.pending.Load())
		case <-tick.C:
		}
	}
	q.stopOnce.Do(func() { close(q.done) })
	q.workers.Wait()
	return err
}

func (q *Queue) work() {
	defer q.workers.Done()
	for {
		select {
		case <-q.done:
			return
		case it := <-q.ready:
			q.deliver(it)
		}
	}
}

func (q *Queue) deliver(it *item) {
	domain := recipientDomain(it.msg.To)
	if !q.o.Now().Before(it.msg.NotAfter) {
		q.pending.Add(-1)
		q.o.Logger.Warn("mail dropped: expired before delivery", "to_domain", domain, "attempts", it.attempt)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), q.o.SendTimeout)
	err := q.driver.Send(ctx, it.msg)
	cancel()
	if err == nil {
		q.pending.Add(-1)
		q.o.Logger.Info("mail delivered", "to_domain", domain, "subject", it.msg.Subject, "attempts", it.attempt+1)
		return
	}
	if q.o.OnFailure != nil {
		q.o.OnFailure()
	}
	it.attempt++
	wait := q.backoff(it.attempt)
	if !q.o.Now().Add(wait).Before(it.msg.NotAfter) {
		q.pending.Add(-1)
		q.o.Logger.Error("mail dropped: still failing at its deadline", "to_domain", domain, "attempts", it.attempt, "err", err)
		return
	}
	q.o.Logger.Warn("mail delivery failed; will retry", "to_domain", domain, "attempts", it.attempt, "retry_in", wait.String(), "err", err)
	time.AfterFunc(wait, func() {
		select {
		case q.ready <- it:
		case <-q.done:
		}
	})
}

// backoff doubles per attempt up to the cap, plus up to 50% jitter so retries from
// many messages do not arrive at a recovering server at once.
func (q *Queue) backoff(attempt int) time.Duration {
	d := q.o.InitialBackoff << min(attempt-1, 20)
	if d <= 0 || d > q.o.MaxBackoff {
		d = q.o.MaxBackoff
	}
	return d + time.Duration(rand.Int64N(int64(d)/2+1))
}

// recipientDomain is all the logs say about a recipient.
func recipientDomain(to string) string {
	if _, d, ok := strings.Cut(to, "@"); ok {
		return d
	}
	return "invalid"
}
