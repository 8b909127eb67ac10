"""`{{ data|json_ld }}`: schema.org data as a safely escaped JSON-LD data block."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from publish.finder.structured_data import json_ld_script

register = template.Library()


@register.filter
def json_ld(data: dict[str, Any] | None) -> SafeString:
    return json_ld_script(data)
