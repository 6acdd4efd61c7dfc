"""Audio files built in the test: WAV through the `wave` module, MP3 from frame headers."""

import io
import math
import struct
import wave


def wav_bytes(seconds: float, rate: int = 8000, width: int = 2, channels: int = 1) -> bytes:
    """A PCM WAV of a 440 Hz tone lasting `seconds`."""
    frames = int(seconds * rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        samples = (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(frames))
        wav.writeframes(b"".join(struct.pack("<h", s) * channels for s in samples)
                        if width == 2 else bytes(frames * width * channels))
    return buffer.getvalue()


# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, stereo, no padding: 417-byte frames of 1152 samples.
MP3_HEADER = bytes([0xFF, 0xFB, 0x90, 0x00])
MP3_FRAME = 417


def mp3_bytes(frames: int, id3: bool = False) -> bytes:
    """A constant-bitrate MP3 of `frames` silent frames (26.1 ms each), optionally ID3-tagged."""
    body = (MP3_HEADER + bytes(MP3_FRAME - 4)) * frames
    if not id3:
        return body
    tag = b"TIT2" + (12).to_bytes(4, "big") + b"\x00\x00" + b"\x03Voicemail!!"
    size = len(tag)
    synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    return b"ID3\x04\x00\x00" + synchsafe + tag + body
