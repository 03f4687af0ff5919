from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams each upload to a temporary file and drops it as soon as it passes the largest size limit.

    The kind of a file is only known once its content is sniffed, so the per-kind limits are checked after
    the upload; this cap stops an oversized body from ever filling the disk. Skipped files are recorded on
    the request so the view can name them in its message.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = max(settings.UPLOAD_MAX_BYTES.values())

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            refused = getattr(self.request, "refused_uploads", [])
            refused.append((self.file_name, f"is larger than {filesizeformat(self.limit)}, the largest upload the "
                                            "studio accepts. Export a shorter or smaller version and try again."))
            self.request.refused_uploads = refused
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)
