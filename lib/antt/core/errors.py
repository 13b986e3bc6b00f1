"""The error a user can act on: one Vietnamese sentence, no traceback.

``AnalystError`` is raised for a question that cannot be answered as asked (an unknown, malformed or
not yet processed cycle, a unit no name matches, a key that is not in the contract). The command line
prints its message after ``antt:`` (exit code 2); a notebook set up by ``antt.analyse.notebook.setup``
shows the message alone. It is a ``ValueError``, so callers that catch bad values still catch it.

Lỗi người dùng tự sửa được: một câu tiếng Việt, không kèm traceback.
"""

from __future__ import annotations


class AnalystError(ValueError):
    """A question that cannot be answered as asked; the message says why, in Vietnamese.
    Câu hỏi không trả lời được như đã hỏi; thông báo nói rõ lý do."""
