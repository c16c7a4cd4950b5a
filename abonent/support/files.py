"""Checking uploaded files by what they contain, not by their names."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_FILES = 5
MAX_SIZE = 10 * 1024 * 1024  # 10 MB
# A phone's photo of a meter or a leak is 12–50 megapixels; beyond 60 it is no photo of ours.
MAX_PIXELS = 60_000_000

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def check_file(upload) -> str:
    """The content type of an acceptable upload; ValidationError in Russian otherwise."""
    name = getattr(upload, "name", "") or "файл"
    if upload.size > MAX_SIZE:
        raise ValidationError(_("Файл «%(name)s» больше 10 МБ.") % {"name": name})
    if upload.size == 0:
        raise ValidationError(_("Файл «%(name)s» пустой.") % {"name": name})
    upload.seek(0)
    kind = sniff(upload.read(8))
    upload.seek(0)
    if kind is None:
        raise ValidationError(
            _("Файл «%(name)s» не является изображением JPEG или PNG или документом PDF.") % {"name": name}
        )
    if kind in (JPEG, PNG):
        _check_image(upload, name)
    return kind


def _check_image(upload, name: str) -> None:
    """A real JPEG or PNG of a sane size. A few kilobytes of PNG can claim 100 000 × 100 000 pixels (a
    "decompression bomb": tens of gigabytes once decoded, for whoever opens it later); Pillow refuses those
    beyond 2 × MAX_IMAGE_PIXELS with DecompressionBombError, and we refuse anything beyond MAX_PIXELS from the
    header alone, before a single pixel is decoded."""
    too_big = _("Изображение «%(name)s» слишком большое: не больше %(mp)s мегапикселей.") % {
        "name": name,
        "mp": MAX_PIXELS // 1_000_000,
    }
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(too_big)
            image.verify()
            if image.format not in ("JPEG", "PNG"):
                raise ValidationError(_("Файл «%(name)s» — не JPEG и не PNG.") % {"name": name})
    except Image.DecompressionBombError as exc:
        raise ValidationError(too_big) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("Изображение «%(name)s» повреждено.") % {"name": name}) from exc
    finally:
        upload.seek(0)


def check_files(uploads) -> list[tuple[object, str]]:
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("Можно приложить не больше 5 файлов."))
    return [(upload, check_file(upload)) for upload in uploads]
