"""Forms of the import pages. They parse input; the import services decide."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kollega.recruitment.importing.checking import target_choices
from kollega.recruitment.importing.reading import MAX_BYTES, Table, shorten
from kollega.recruitment.models import ImportMode
from kollega.surveys.models import Question

SAMPLES = 3
MODE_CHOICES = [
    (ImportMode.ALL_OR_NOTHING, _("Import nothing: I fix the file and try again")),
    (ImportMode.VALID_ONLY, _("Import the rows without problems; list the others")),
]


class MemoryUploadHandler(FileUploadHandler):
    """Keeps an uploaded file in memory, never on the server's disk, and stops keeping it past the size limit.

    The file's real size is still counted, so the page can say how large it was.
    """

    def __init__(self, request: HttpRequest | None = None, limit: int = MAX_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.buffer = io.BytesIO()
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.too_large = False
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.too_large:
            return None
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            return None
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class ModeField(forms.ChoiceField):
    widget = forms.RadioSelect

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("If some rows have problems"))
        kwargs.setdefault("choices", MODE_CHOICES)
        kwargs.setdefault("initial", ImportMode.ALL_OR_NOTHING)
        super().__init__(**kwargs)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File of registrations"),
        help_text=_(
            "CSV (UTF-8 or Windows-1252; cells separated by commas, semicolons or tabs) or an Excel workbook "
            "(.xlsx, first sheet). The first row names the columns. At most 10 MB and 10 000 rows."
        ),
        error_messages={"required": _("Choose the file to import."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv"}),
    )
    mode = ModeField()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(limit)d MB can be imported at once. Split the file."),
                params={"size": f"{upload.size / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024},
            )
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file: the question it answers, or nothing."""

    mode = ModeField()

    def __init__(
        self,
        data: Any = None,
        *,
        table: Table,
        questions: list[Question],
        language: str,
        mapping: dict[str, str],
        mode: str,
    ) -> None:
        super().__init__(data, initial={"mode": mode})
        self.columns: list[tuple[str, str, list[str]]] = []  # (field name, heading, samples)
        choices = [("", _("Do not import")), *target_choices(questions, language)]
        for index, heading in enumerate(table.headers):
            if not heading:
                continue
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=heading, choices=choices, required=False, initial=mapping.get(heading, "")
            )
            self.columns.append((name, heading, self._samples(table, index)))
        self.order_fields([name for name, _heading, _samples in self.columns] + ["mode"])

    @staticmethod
    def _samples(table: Table, index: int) -> list[str]:
        found: list[str] = []
        for value in table.column_values(index):
            value = shorten(value, 40)
            if value and value not in found:
                found.append(value)
                if len(found) == SAMPLES:
                    break
        return found

    def column_rows(self) -> list[tuple[forms.BoundField, str, list[str]]]:
        return [(self[name], heading, samples) for name, heading, samples in self.columns]

    def mapping(self) -> dict[str, str]:
        return {heading: self.cleaned_data.get(name) or "" for name, heading, _samples in self.columns}


class StartForm(forms.Form):
    mode = forms.ChoiceField(choices=ImportMode.choices)
