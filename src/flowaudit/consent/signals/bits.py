"""Reading the bit fields of IAB consent strings.

TCF v2 and GPP both pack their fields, big-endian and left to right, into
web-safe base64 without padding; GPP adds Fibonacci-coded integers. One
reader serves both so that a field is read the same way wherever it sits.

Facts used here:
- base64url alphabet and 6 bits per character: RFC 4648 section 5.
- Fibonacci coding (bits weighted 1, 2, 3, 5, 8, ... ending at the first
  "11"): GPP Consent String Specification, "About Fibonacci Encoding",
  https://github.com/InteractiveAdvertisingBureau/Global-Privacy-Platform/blob/main/Core/Consent%20String%20Specification.md
"""

from __future__ import annotations

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# Some encoders emit the standard alphabet; both spell the same 6-bit values.
_VALUE = {c: i for i, c in enumerate(_ALPHABET)} | {"+": 62, "/": 63}


class OutOfBits(ValueError):
    """The text ended before a field did: the string is cut or malformed."""


class BitReader:
    """Fields read one after another from the bits of a base64url text."""

    def __init__(self, text: str) -> None:
        """Raises ``ValueError`` naming the first character that is not base64url."""
        text = text.rstrip("=")
        bits: list[str] = []
        for position, char in enumerate(text):
            value = _VALUE.get(char)
            if value is None:
                raise ValueError(f"character {char!r} at position {position + 1} is not base64url")
            bits.append(format(value, "06b"))
        self._bits = "".join(bits)
        self._at = 0

    @property
    def remaining(self) -> int:
        return len(self._bits) - self._at

    def uint(self, width: int) -> int:
        if width > self.remaining:
            raise OutOfBits(f"needed {width} bits at bit {self._at}, {self.remaining} left")
        value = int(self._bits[self._at : self._at + width], 2) if width else 0
        self._at += width
        return value

    def flag(self) -> bool:
        return self.uint(1) == 1

    def letters(self, count: int) -> str:
        """Letters of 6 bits each, A=0 ... Z=25 (TCF language and country codes)."""
        out = []
        for _ in range(count):
            value = self.uint(6)
            if value > 25:
                raise ValueError(f"letter code {value} is outside A-Z")
            out.append(chr(ord("A") + value))
        return "".join(out)

    def bitfield(self, width: int) -> frozenset[int]:
        """The 1-based positions of the set bits among the next ``width``."""
        start = self._at
        self.uint(width)  # bounds check and advance
        chunk = self._bits[start : start + width]
        return frozenset(i + 1 for i, bit in enumerate(chunk) if bit == "1")

    def fibonacci(self) -> int:
        """One Fibonacci-coded integer (terminated by two consecutive 1 bits)."""
        weights = [1, 2]
        total = 0
        previous = False
        index = 0
        while True:
            bit = self.flag()
            if bit and previous:
                return total
            if bit:
                while len(weights) <= index:
                    weights.append(weights[-1] + weights[-2])
                total += weights[index]
            previous = bit
            index += 1
