package epp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// DefaultMaxFrameSize is the default limit on the total length of a data
// unit (header included) accepted by ReadFrame.
const DefaultMaxFrameSize = 4 << 20

// headerLen is the size of the RFC 5734 §4 length header.
const headerLen = 4

var (
	// ErrFrameTooLarge reports a length header above the reader's limit.
	ErrFrameTooLarge = errors.New("epp: frame too large")
	// ErrBadLength reports a length header that cannot describe a frame:
	// below 5 (the header counts itself, and an empty document is no EPP
	// message).
	ErrBadLength = errors.New("epp: bad frame length")
)

// ReadFrame reads one data unit (RFC 5734 §4): a 4-byte big-endian total
// length that counts itself, then the XML document, which it returns.
//
// max limits the total length (header included); max <= 0 means
// DefaultMaxFrameSize. Lengths below 5 give an error matching ErrBadLength
// and lengths above max one matching ErrFrameTooLarge (use errors.Is); both
// are detected before anything is allocated for the payload. A stream that
// ends cleanly before the first header byte gives io.EOF; one cut inside
// the header or the payload gives io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader, max int) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxFrameSize
	}
	var hdr [headerLen]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := uint64(binary.BigEndian.Uint32(hdr[:]))
	if n <= headerLen {
		return nil, fmt.Errorf("%w: %d", ErrBadLength, n)
	}
	if n > uint64(max) {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n, max)
	}
	buf := make([]byte, n-headerLen)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// WriteFrame writes xml as one data unit: the 4-byte big-endian total
// length (4 + len(xml)) followed by xml, in a single Write call so that
// concurrent writers on one connection never interleave a frame. An empty
// document gives ErrBadLength; a short write gives io.ErrShortWrite.
func WriteFrame(w io.Writer, xml []byte) error {
	if len(xml) == 0 {
		return fmt.Errorf("%w: empty document", ErrBadLength)
	}
	if uint64(len(xml)) > math.MaxUint32-headerLen {
		return fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, len(xml))
	}
	buf := make([]byte, headerLen+len(xml))
	binary.BigEndian.PutUint32(buf, uint32(len(buf)))
	copy(buf[headerLen:], xml)
	n, err := w.Write(buf)
	if err != nil {
		return err
	}
	if n != len(buf) {
		return io.ErrShortWrite
	}
	return nil
}
