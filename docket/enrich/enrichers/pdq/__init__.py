"""PDQ perceptual hashes (Meta's open algorithm, used across the industry to find copies of a
picture that was resized, recompressed or lightly cropped) of every picture and of a video's
keyframes. ffmpeg decodes in the sandbox; the hash is computed here from raw pixels only."""

from __future__ import annotations

from docket.enrich.base import Declaration

DECLARATION = Declaration(
    name="pdq",
    summary="PDQ perceptual hashes of pictures and video keyframes",
    kinds=("picture", "video"),
    outputs=("PerceptualHash",),
    programs=("ffmpeg", "ffprobe"),
    quick=("picture",),
)
