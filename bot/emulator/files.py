"""Files: photo and document uploads, file_id re-use, getFile and the download routes."""

from __future__ import annotations

import re
import secrets
from typing import Any

from aiohttp import web

from bot.emulator import rules
from bot.emulator.core import EmulatorState, api_method
from bot.emulator.markup import formatted
from bot.emulator.protocol import ApiError, Params, Upload
from bot.emulator.state import (
    StoredFile,
    image_size,
)

MAX_ALBUM = 10


class FilesMixin(EmulatorState):
    """sendPhoto, sendDocument, getFile, and the routes that serve the stored bytes."""

    def _input_file(self, p: Params, key: str) -> StoredFile:
        """A new upload (stored) or a known file_id (re-used), for sendPhoto/sendDocument."""
        upload = p.upload(key)
        if upload is not None:
            return self._store_upload(key, upload)
        ref = p.get_str(key)
        if not ref:
            raise rules.NO_FILE.error(kind=key)
        stored = self.files.get(ref)
        if stored is None:
            raise rules.WRONG_FILE_ID.error()
        if stored.kind != key:
            raise rules.FILE_TYPE_MISMATCH.error()
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
        caption, caption_entities = self._formatted(p, "caption", required=False)
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

    @api_method("sendMediaGroup")
    async def _send_media_group(self, p: Params) -> list[dict[str, Any]]:
        """An album of 2-10 photos (or documents), each with its own caption; a refused album
        stores nothing. One item is sent as a plain message, as Telegram does."""
        chat = self._target_chat(p)
        items = [self._album_item(p, position, item) for position, item in self._album(p)]
        if any(kind == "document" for kind, *_ in items) and any(
            kind != "document" for kind, *_ in items
        ):
            raise rules.ALBUM_MIXED.error()
        reply_to = self._reply_target(chat, p)
        self._admit("sendMediaGroup", chat)
        group_id = None
        if len(items) == 1:
            self._repaired(rules.ALBUM_OF_ONE)
        else:
            group_id = str(next(self._album_counter) + 13_000_000_000_000_000)
        sent = []
        for kind, caption, entities, source in items:
            stored = source if isinstance(source, StoredFile) else self._store_upload(kind, source)
            message = self._add_message(
                chat,
                outgoing=True,
                caption=caption,
                caption_entities=entities,
                reply_to=reply_to,
                media_group_id=group_id,
                **{kind: stored},
            )
            sent.append(message.to_api())
        return sent

    @staticmethod
    def _album(p: Params) -> list[tuple[int, Any]]:
        if "media" not in p:
            raise rules.MEDIA_REQUIRED.error()
        try:
            media = p.get_json("media")
        except ApiError:
            raise rules.MEDIA_NOT_JSON.error() from None
        if not isinstance(media, list):
            raise rules.MEDIA_NOT_ARRAY.error()
        if not media:
            raise rules.ALBUM_EMPTY.error()
        if len(media) > MAX_ALBUM:
            raise rules.ALBUM_TOO_BIG.error()
        return list(enumerate(media, start=1))

    def _album_item(
        self, p: Params, position: int, item: Any
    ) -> tuple[str, str | None, list[dict[str, Any]], StoredFile | Upload]:
        """One checked InputMedia: kind, caption, entities, and the upload or known file."""
        if not isinstance(item, dict):
            raise rules.INPUT_MEDIA.error(detail="expected an Object")
        try:
            caption, entities = formatted(
                item.get("caption"),
                item.get("parse_mode"),
                item.get("caption_entities"),
                caption=True,
                required=False,
            )
        except ApiError as error:  # TDLib's "Can't parse entities: …" inside the InputMedia one
            reason = error.description.removeprefix("Bad Request: ")
            if not reason.startswith("can't parse entities"):
                raise
            raise rules.INPUT_MEDIA.error(detail=reason[:1].upper() + reason[1:]) from None
        kind = item.get("type")
        if kind is None:
            raise rules.INPUT_MEDIA.error(detail='Can\'t find field "type"')
        if kind not in ("photo", "document"):
            raise rules.INPUT_MEDIA.error(detail=f'type "{kind}" is not emulated')
        media = item.get("media")
        if not isinstance(media, str) or not media:
            raise rules.INPUT_MEDIA.error(detail="media not found")
        if media.startswith("attach://"):
            upload = p.files.get(media.removeprefix("attach://"))
            if upload is None:
                raise rules.INPUT_MEDIA.error(detail="media not found")
            if kind == "photo":
                try:
                    image_size(upload.data)
                except ApiError:
                    raise rules.ALBUM_ITEM_FAILED.error(
                        position=position, error="IMAGE_PROCESS_FAILED"
                    ) from None
            return kind, caption, entities, upload
        stored = self.files.get(media)
        if stored is None or stored.kind != kind:
            raise rules.ALBUM_ITEM_FAILED.error(
                position=position, error="Wrong file identifier/HTTP URL specified"
            )
        return kind, caption, entities, stored

    def _store_upload(self, kind: str, upload: Upload) -> StoredFile:
        if kind == "photo":
            width, height = image_size(upload.data)
            return self._store_file("photo", upload.data, "image/jpeg", width=width, height=height)
        return self._store_file("document", upload.data, upload.content_type, upload.filename)

    @api_method("getFile")
    async def _get_file(self, p: Params) -> dict[str, Any]:
        stored = self.files.get(p.get_str("file_id") or "")
        if stored is None:
            raise rules.INVALID_FILE_ID.error()
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
