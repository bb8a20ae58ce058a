package domainname

import (
	"fmt"
	"unicode"
)

// The idna package's registration profile follows UTS #46, which still
// treats many code points as valid that IDNA2008 (RFC 5892) disallows, such
// as symbols and punctuation ("♥.com"; these are "NV8" in the UTS #46 data,
// which golang.org/x/net/idna does not act on). It also does not check the
// CONTEXTO rules. Registries apply IDNA2008, so idna2008Problem applies its
// derived property rules to U-labels that the idna package accepted.

// pvalidExceptions are the PVALID code points of RFC 5892 section 2.6 that
// the general-category rule would otherwise disallow (or, for U+00DF and
// U+03C2, that are letters anyway).
var pvalidExceptions = map[rune]bool{
	0x00DF: true, // LATIN SMALL LETTER SHARP S
	0x03C2: true, // GREEK SMALL LETTER FINAL SIGMA
	0x06FD: true, // ARABIC SIGN SINDHI AMPERSAND
	0x06FE: true, // ARABIC SIGN SINDHI POSTPOSITION MEN
	0x0F0B: true, // TIBETAN MARK INTERSYLLABIC TSHEG
	0x3007: true, // IDEOGRAPHIC NUMBER ZERO
}

// disallowedExceptions are the DISALLOWED exceptions of RFC 5892 section 2.6.
var disallowedExceptions = map[rune]bool{
	0x0640: true, // ARABIC TATWEEL
	0x07FA: true, // NKO LAJANYALAN
	0x302E: true, // HANGUL SINGLE DOT TONE MARK
	0x302F: true, // HANGUL DOUBLE DOT TONE MARK
	0x3031: true, // VERTICAL KANA REPEAT MARK
	0x3032: true, // VERTICAL KANA REPEAT WITH VOICED SOUND MARK
	0x3033: true, // VERTICAL KANA REPEAT MARK UPPER HALF
	0x3034: true, // VERTICAL KANA REPEAT WITH VOICED SOUND MARK UPPER HALF
	0x3035: true, // VERTICAL KANA REPEAT MARK LOWER HALF
	0x303B: true, // VERTICAL IDEOGRAPHIC ITERATION MARK
}

// disallowedBlocks are the OldHangulJamo (RFC 5892 section 2.9) and
// IgnorableBlocks (section 2.4) ranges.
var disallowedBlocks = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x1100, Hi: 0x11FF, Stride: 1}, // Hangul Jamo
		{Lo: 0x20D0, Hi: 0x20FF, Stride: 1}, // Combining Diacritical Marks for Symbols
		{Lo: 0xA960, Hi: 0xA97F, Stride: 1}, // Hangul Jamo Extended-A
		{Lo: 0xD7B0, Hi: 0xD7FF, Stride: 1}, // Hangul Jamo Extended-B
	},
	R32: []unicode.Range32{
		{Lo: 0x1D100, Hi: 0x1D1FF, Stride: 1}, // Musical Symbols
		{Lo: 0x1D200, Hi: 0x1D24F, Stride: 1}, // Ancient Greek Musical Notation
	},
}

// letterDigits is the LetterDigits category of RFC 5892 section 2.1.
var letterDigits = []*unicode.RangeTable{
	unicode.Ll, unicode.Lu, unicode.Lo, unicode.Lm, unicode.Nd, unicode.Mn, unicode.Mc,
}

// idna2008Problem checks the non-ASCII code points of U-label l against the
// IDNA2008 derived property rules and the CONTEXTO rules of RFC 5892
// appendix A.3 to A.9. It returns "" if l is fine, or a description of the
// first problem. ASCII is checked elsewhere, and CONTEXTJ by the idna
// package.
func idna2008Problem(l string) string {
	runes := []rune(l)
	for i, r := range runes {
		if r < 0x80 || r == zwj || r == zwnj {
			continue
		}
		switch r {
		case 0x00B7: // MIDDLE DOT: only between two 'l's (Catalan "l·l").
			if i == 0 || i == len(runes)-1 || runes[i-1] != 'l' || runes[i+1] != 'l' {
				return `contains a middle dot "·" (U+00B7) that is not between two "l"s`
			}
			continue
		case 0x0375: // GREEK LOWER NUMERAL SIGN: must be followed by Greek.
			if i == len(runes)-1 || !unicode.Is(unicode.Greek, runes[i+1]) {
				return `contains the Greek numeral sign "͵" (U+0375) without a Greek letter after it`
			}
			continue
		case 0x05F3, 0x05F4: // HEBREW GERESH, GERSHAYIM: must follow Hebrew.
			if i == 0 || !unicode.Is(unicode.Hebrew, runes[i-1]) {
				return fmt.Sprintf("contains the Hebrew punctuation %q (%U) without a Hebrew letter before it", string(r), r)
			}
			continue
		case 0x30FB: // KATAKANA MIDDLE DOT: label needs Hiragana, Katakana or Han.
			if !hasJapanese(runes) {
				return `contains the katakana middle dot "・" (U+30FB) in a label with no Japanese characters`
			}
			continue
		}
		if 0x0660 <= r && r <= 0x0669 && containsRange(runes, 0x06F0, 0x06F9) ||
			0x06F0 <= r && r <= 0x06F9 && containsRange(runes, 0x0660, 0x0669) {
			return "mixes Arabic-Indic and extended Arabic-Indic digits"
		}
		if pvalidExceptions[r] {
			continue
		}
		if disallowedExceptions[r] || unicode.Is(disallowedBlocks, r) ||
			unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
			unicode.Is(unicode.Variation_Selector, r) ||
			unicode.Is(unicode.Noncharacter_Code_Point, r) ||
			!unicode.In(r, letterDigits...) {
			return fmt.Sprintf("contains %q (%U), which IDNA2008 does not allow in domain names", string(r), r)
		}
	}
	return ""
}

func hasJapanese(runes []rune) bool {
	for _, r := range runes {
		if r != 0x30FB && unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			return true
		}
	}
	return false
}

func containsRange(runes []rune, lo, hi rune) bool {
	for _, r := range runes {
		if lo <= r && r <= hi {
			return true
		}
	}
	return false
}
