package gateway

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	writeTimeout = 10 * time.Second
	// closeGrace is how long the server waits for the client's close frame
	// before dropping the TCP connection.
	closeGrace = 2 * time.Second
)

// conn is one websocket connection. The reader goroutine (serve) handles
// client payloads; writeLoop is the only writer of data frames, so frames
// leave in exactly the order they were queued.
type conn struct {
	srv       *Server
	ws        *websocket.Conn
	log       *slog.Logger
	enc       encoder
	resumeURL string

	payloadCompress atomic.Bool

	mu      sync.Mutex // guards queue and closing
	queue   []queued
	closing bool
	wake    chan struct{} // cap 1: "queue is non-empty"
	stop    chan struct{} // closed when the reader exits
	written chan struct{} // closed when writeLoop exits

	sess *session // guarded by srv.mu

	// Reader-goroutine state.
	recv      []time.Time // receive times inside the send-limit window
	heartbeat *time.Timer
	authTimer *time.Timer
}

type queued struct {
	payload   []byte
	closeCode int // non-zero: send a close frame and stop
	closeText string
}

func newConn(srv *Server, ws *websocket.Conn, enc encoder, resumeURL string) *conn {
	return &conn{
		srv:       srv,
		ws:        ws,
		log:       srv.log.With("remote", ws.RemoteAddr().String()),
		enc:       enc,
		resumeURL: resumeURL,
		wake:      make(chan struct{}, 1),
		stop:      make(chan struct{}),
		written:   make(chan struct{}),
	}
}

// enqueue queues a payload; it never blocks, so it is safe under srv.mu.
func (c *conn) enqueue(payload []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.queue = append(c.queue, queued{payload: payload})
	c.signal()
}

// closeWith queues a close frame after everything already queued; later
// payloads are dropped. Only the first close wins.
func (c *conn) closeWith(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return
	}
	c.closing = true
	c.queue = append(c.queue, queued{closeCode: code, closeText: text})
	c.signal()
}

func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

func (c *conn) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *conn) writeLoop() {
	defer close(c.written)
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			return
		}
		c.mu.Lock()
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		for _, q := range batch {
			if q.closeCode != 0 {
				c.writeClose(q.closeCode, q.closeText)
				return
			}
			if err := c.write(q.payload); err != nil {
				c.log.Debug("write failed", "err", err)
				_ = c.ws.Close()
				return
			}
		}
	}
}

func (c *conn) write(payload []byte) error {
	mt, data, err := c.enc.encode(payload)
	if err != nil {
		return err
	}
	if mt == websocket.TextMessage && c.payloadCompress.Load() {
		if data, err = compressPayload(payload); err != nil {
			return err
		}
		mt = websocket.BinaryMessage
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(mt, data)
}

// writeClose sends the close frame, then gives the client closeGrace to
// answer before dropping the socket.
func (c *conn) writeClose(code int, text string) {
	c.log.Info("closing connection", "code", code, "reason", text)
	msg := websocket.FormatCloseMessage(code, text)
	if err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeTimeout)); err != nil {
		c.log.Debug("write close failed", "err", err)
	}
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-c.stop:
	case <-t.C:
	}
	_ = c.ws.Close()
}

// serve runs the reader until the connection ends.
func (c *conn) serve(versionOK bool) {
	// Settle the session before echoing the client's close frame, so a
	// client that saw the echo can rely on its 1000/1001 having ended it.
	c.ws.SetCloseHandler(func(code int, text string) error {
		c.srv.clientClosed(c, code)
		msg := websocket.FormatCloseMessage(code, "")
		err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeTimeout))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	go c.writeLoop()
	clientCode := 0
	defer func() {
		c.stopTimers()
		close(c.stop)
		<-c.written
		_ = c.ws.Close()
		c.enc.close()
		c.srv.connGone(c, clientCode)
		c.log.Debug("connection finished", "client_close_code", clientCode)
	}()

	if !versionOK {
		c.srv.kick(c, CloseInvalidAPIVersion, closeText(CloseInvalidAPIVersion))
	} else {
		c.log.Debug("connection opened")
		c.enqueue(encodeOp(opHello, map[string]int64{
			"heartbeat_interval": c.srv.opts.HeartbeatInterval.Milliseconds(),
		}))
		c.heartbeat = time.AfterFunc(c.srv.opts.HeartbeatTimeout, func() {
			c.srv.kick(c, CloseSessionTimedOut, "heartbeat not received in time")
		})
		c.authTimer = time.AfterFunc(c.srv.opts.IdentifyTimeout, func() {
			c.srv.mu.Lock()
			defer c.srv.mu.Unlock()
			if c.sess == nil {
				c.srv.kickLocked(c, CloseSessionTimedOut, "no identify or resume in time")
			}
		})
	}

	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				clientCode = ce.Code
			}
			return
		}
		// Read one byte past the limit so oversized frames are detected
		// without buffering them whole.
		data, err := io.ReadAll(io.LimitReader(r, maxFrameSize+1))
		if err != nil {
			return
		}
		if c.isClosing() {
			continue // drain until the client's close frame arrives
		}
		if len(data) > maxFrameSize {
			c.srv.kick(c, CloseDecodeError, "payload larger than 4096 bytes")
			continue
		}
		if !c.allowReceive() {
			c.srv.kick(c, CloseRateLimited, closeText(CloseRateLimited))
			continue
		}
		c.handle(data)
	}
}

func (c *conn) stopTimers() {
	if c.heartbeat != nil {
		c.heartbeat.Stop()
	}
	if c.authTimer != nil {
		c.authTimer.Stop()
	}
}

// allowReceive applies the per-connection send limit (120 per 60 s).
func (c *conn) allowReceive() bool {
	now := c.srv.opts.Now()
	cut := now.Add(-c.srv.opts.SendWindow)
	i := 0
	for i < len(c.recv) && !c.recv[i].After(cut) {
		i++
	}
	c.recv = c.recv[i:]
	if len(c.recv) >= c.srv.opts.SendLimit {
		return false
	}
	c.recv = append(c.recv, now)
	return true
}
