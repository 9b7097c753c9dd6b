"""Files: photo and document uploads, file_id re-use, getFile and the download routes."""

from __future__ import annotations

import re
import secrets
from typing import Any

from aiohttp import web

from bot.emulator.core import EmulatorState, api_method
from bot.emulator.markup import (
    MAX_CAPTION,
)
from bot.emulator.protocol import ApiError, Params
from bot.emulator.state import (
    StoredFile,
    image_size,
)


class FilesMixin(EmulatorState):
    """sendPhoto, sendDocument, getFile, and the routes that serve the stored bytes."""

    def _input_file(self, p: Params, key: str) -> StoredFile:
        """A new upload (stored) or a known file_id (re-used), for sendPhoto/sendDocument."""
        upload = p.upload(key)
        if upload is not None:
            if key == "photo":
                width, height = image_size(upload.data)
                return self._store_file(
                    "photo", upload.data, "image/jpeg", width=width, height=height
                )
            return self._store_file("document", upload.data, upload.content_type, upload.filename)
        ref = p.get_str(key)
        if not ref:
            raise ApiError.bad_request(f"there is no {key} in the request")
        stored = self.files.get(ref)
        if stored is None:
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != key:
            raise ApiError.bad_request("type of file mismatch")
        return stored

    def _store_file(
        self,
        kind: str,
        data: bytes,
        mime_type: str | None,
        file_name: str | None = None,
        *,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        number = next(self._file_counter)
        unique = f"{'AQAD' if kind == 'photo' else 'AgAD'}{number:06d}"
        stored = StoredFile(
            file_id=f"{unique}{secrets.token_urlsafe(18)}",
            file_unique_id=unique,
            kind=kind,
            data=bytes(data),
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    async def _send_file(self, p: Params, method: str, key: str) -> dict[str, Any]:
        chat = self._target_chat(p)
        caption, caption_entities = self._formatted(p, "caption", MAX_CAPTION, required=False)
        markup = self._reply_markup(p)
        reply_to = self._reply_target(chat, p)
        stored = self._input_file(p, key)
        return self._send(
            method,
            chat,
            caption=caption,
            caption_entities=caption_entities,
            reply_markup=markup,
            reply_to=reply_to,
            **{key: stored},
        ).to_api()

    @api_method("sendPhoto")
    async def _send_photo(self, p: Params) -> dict[str, Any]:
        return await self._send_file(p, "sendPhoto", "photo")

    @api_method("sendDocument")
    async def _send_document(self, p: Params) -> dict[str, Any]:
        return await self._send_file(p, "sendDocument", "document")

    @api_method("getFile")
    async def _get_file(self, p: Params) -> dict[str, Any]:
        stored = self.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return stored.file_api()

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _handle_page_file(self, request: web.Request) -> web.StreamResponse:
        stored = self.files.get(request.match_info["file_id"])
        if stored is None:
            raise web.HTTPNotFound()
        headers = {}
        if stored.file_name:
            safe_name = re.sub(r"[^\w.\- ]", "_", stored.file_name)
            headers["Content-Disposition"] = f'inline; filename="{safe_name}"'
        return web.Response(
            body=stored.data,
            headers=headers,
            content_type=stored.mime_type or "application/octet-stream",
        )
