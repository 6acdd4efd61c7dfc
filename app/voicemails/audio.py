"""Recognise the audio Twilio's <Play> can play (WAV, MP3) by its bytes, and measure it.

The client's Content-Type and file name are never trusted: the magic bytes decide.
"""

import io
import math
import wave
from dataclasses import dataclass

WAV, MP3 = "audio/wav", "audio/mpeg"

# MPEG-1 / MPEG-2 (and 2.5) Layer III bitrates in kbit/s by header index; 0 and 15 are invalid.
_BITRATES = {
    1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0],
    2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0],
}
_SAMPLE_RATES = {3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000]}


class AudioError(ValueError):
    """Not audio Twilio can play, or audio we cannot measure; the message says which."""


@dataclass(frozen=True)
class Audio:
    content_type: str
    seconds: float


def sniff(data: bytes) -> Audio:
    """The type and length of `data`: a PCM WAV file or an MP3; anything else is refused."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return Audio(WAV, _wav_seconds(data))
    if data[:3] == b"ID3" or _frame(data, 0) is not None:
        return Audio(MP3, _mp3_seconds(data))
    raise AudioError("This is not a WAV or MP3 file (the formats Twilio can play).")


def _wav_seconds(data: bytes) -> float:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            # The frames actually present: a header may promise more than the file holds.
            frames = len(wav.readframes(wav.getnframes())) // max(width * channels, 1)
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"This WAV file cannot be read ({exc}); save it as PCM WAV.") from None
    if rate <= 0 or frames <= 0:
        raise AudioError("This WAV file holds no sound.")
    return frames / rate


@dataclass(frozen=True)
class _Frame:
    length: int
    bitrate: int  # bit/s
    samples: int  # per frame
    rate: int  # samples per second
    side_info: int  # bytes between the header and where a Xing/Info tag would sit


def _frame(data: bytes, at: int) -> _Frame | None:
    """The MPEG Layer III frame header at `at`, or None when there is none."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    version, layer = (data[at + 1] >> 3) & 3, (data[at + 1] >> 1) & 3
    bitrate_index, rate_index = data[at + 2] >> 4, (data[at + 2] >> 2) & 3
    if version == 1 or layer != 1 or rate_index == 3:  # reserved version, not Layer III
        return None
    kbps = _BITRATES[1 if version == 3 else 2][bitrate_index]
    if kbps == 0:
        return None
    rate = _SAMPLE_RATES[version][rate_index]
    padding, mono = (data[at + 2] >> 1) & 1, (data[at + 3] >> 6) == 3
    samples = 1152 if version == 3 else 576
    length = samples // 8 * kbps * 1000 // rate + padding
    side = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    return _Frame(length, kbps * 1000, samples, rate, side)


def _id3_size(data: bytes) -> int:
    """Bytes taken by a leading ID3v2 tag (its size is four 7-bit bytes), or 0."""
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:
        size = (size << 7) | (byte & 0x7F)
    return 10 + size + (10 if data[5] & 0x10 else 0)  # the footer flag adds 10 bytes


def _mp3_seconds(data: bytes) -> float:
    """Frame count from a Xing/Info tag when there is one (VBR), else size / first bitrate (CBR).

    Two consecutive frame headers are required, so random bytes starting 0xFFE are refused.
    """
    start = _id3_size(data)
    first = _frame(data, start)
    if first is None or _frame(data, start + first.length) is None:
        raise AudioError("This MP3 file has no readable MPEG audio frames.")
    tag_at = start + 4 + first.side_info
    if data[tag_at:tag_at + 4] in (b"Xing", b"Info") and len(data) >= tag_at + 12 \
            and data[tag_at + 7] & 1:
        frames = int.from_bytes(data[tag_at + 8:tag_at + 12], "big")
        return frames * first.samples / first.rate
    return (len(data) - start) * 8 / first.bitrate


def whole_seconds(seconds: float) -> int:
    """What the list shows: a started second counts, and no message is shorter than one."""
    return max(1, math.ceil(seconds - 1e-6))
