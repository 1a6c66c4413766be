"""Avatar uploads: checked by what the bytes are (not the name or the browser's word), re-encoded.

Only JPEG, PNG, GIF and WebP pass; SVG never does (it can carry script).
The picture is re-encoded as a small JPEG, which drops EXIF data (a phone
photo's GPS position) and anything hidden after the image data.
"""

from __future__ import annotations

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 6000 * 6000  # well under Pillow's decompression-bomb limit
AVATAR_SIDE = 400
ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def avatar_upload_to(instance: object, filename: str) -> str:
    """A random name: nobody can guess another person's picture address."""
    return f"avatars/{uuid.uuid4().hex}.jpg"


def validate_avatar(file: object) -> None:
    """The model-level check (also run by the admin): a size limit.

    The sizes are written the reader's way ("2.5 MB", "2,5 MB"), so they are
    formatted here, in the language of the request that uploads the picture.
    """
    size = getattr(file, "size", 0) or 0
    if size > AVATAR_MAX_BYTES:
        raise ValidationError(
            _("That picture is %(size)s MB; the limit is %(limit)s MB."),
            code="avatar_too_large",
            params={
                "size": formats.number_format(size / 1024 / 1024, 1),
                "limit": formats.number_format(AVATAR_MAX_BYTES // 1024 // 1024),
            },
        )


def clean_avatar_upload(upload: UploadedFile) -> ContentFile:
    """Check an uploaded picture and return it re-encoded as a square-bounded JPEG.

    Raises ValidationError with a message a person can act on.
    """
    validate_avatar(upload)
    head = upload.read(512)
    upload.seek(0)
    if b"<svg" in head.lower() or (upload.name or "").lower().endswith((".svg", ".svgz")):
        raise ValidationError(
            _("SVG pictures are not accepted. Upload a JPEG, PNG, GIF or WebP photo."),
            code="avatar_svg",
        )
    try:
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("That file is not a picture we can read. Upload a JPEG, PNG, GIF or WebP photo."),
            code="avatar_unreadable",
        ) from None
    if kind not in ALLOWED_FORMATS:
        if not kind:
            raise ValidationError(
                _("Pictures of this kind are not accepted. Upload a JPEG, PNG, GIF or WebP photo."),
                code="avatar_format",
            )
        raise ValidationError(
            _("%(kind)s pictures are not accepted. Upload a JPEG, PNG, GIF or WebP photo."),
            code="avatar_format",
            params={"kind": kind},
        )
    if width * height > AVATAR_MAX_PIXELS:
        raise ValidationError(_("That picture is too large in pixels."), code="avatar_pixels")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((AVATAR_SIDE, AVATAR_SIDE))
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                background = Image.new("RGB", image.size, (255, 255, 255))
                background.paste(image, mask=image.getchannel("A"))
                image = background
            else:
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("That picture could not be read to the end. Try saving it again or another one."),
            code="avatar_broken",
        ) from None
    return ContentFile(out.getvalue(), name="avatar.jpg")
