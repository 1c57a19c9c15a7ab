"""Form definitions: a layout (templates/) plus a record JSON Schema (schemas/forms/)."""

from tianbao.forms.model import Column, FormDef, Rule

__all__ = ["Column", "FormDef", "Rule"]
