package gateway

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"

	"github.com/gorilla/websocket"
	"github.com/klauspost/compress/zstd"
)

// encoder turns one JSON payload into one websocket message. Stream
// encoders keep a single compression context for the whole connection and
// flush after every payload, as Discord's transport compression does.
type encoder interface {
	encode(payload []byte) (messageType int, data []byte, err error)
	close()
}

func newEncoder(compress string) (encoder, error) {
	switch compress {
	case "":
		return plainEncoder{}, nil
	case "zlib-stream":
		// Flush is Z_SYNC_FLUSH, so each message ends in 00 00 ff ff,
		// the marker clients use to find payload boundaries.
		e := &streamEncoder{}
		e.w = zlib.NewWriter(&e.buf)
		return e, nil
	case "zstd-stream":
		e := &streamEncoder{}
		w, err := zstd.NewWriter(&e.buf, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		e.w = w
		return e, nil
	}
	return nil, fmt.Errorf("unsupported compress %q", compress)
}

type plainEncoder struct{}

func (plainEncoder) encode(p []byte) (int, []byte, error) { return websocket.TextMessage, p, nil }
func (plainEncoder) close()                               {}

// streamWriter is a compressor whose Flush ends a complete block without
// ending the stream: *zlib.Writer and *zstd.Encoder.
type streamWriter interface {
	io.WriteCloser
	Flush() error
}

// streamEncoder sends each payload as one binary message holding what the
// connection's compressor wrote for it up to its flush.
type streamEncoder struct {
	buf bytes.Buffer
	w   streamWriter
}

func (e *streamEncoder) encode(p []byte) (int, []byte, error) {
	if _, err := e.w.Write(p); err != nil {
		return 0, nil, err
	}
	if err := e.w.Flush(); err != nil {
		return 0, nil, err
	}
	out := bytes.Clone(e.buf.Bytes())
	e.buf.Reset()
	return websocket.BinaryMessage, out, nil
}

func (e *streamEncoder) close() { _ = e.w.Close() }

// compressPayload implements identify "compress": true: each payload is a
// complete zlib stream in a binary message.
func compressPayload(p []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	if _, err := w.Write(p); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
