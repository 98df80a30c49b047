// Package selftest holds the HCS emulator's own tests; the emulator is the
// C program in the folder above (hcsemu.h says what is in each part), built as
// vmcompute.dll into the Wine prefix by .ci/wine/prefix. The tests of its
// compute systems are the HCS contract's (hcs/hcstest, run through the
// binding in internal/core); these are of its container storage and its
// HNS, through hcsshim's own calls, and of the prefix's Wine gaps.
package selftest
