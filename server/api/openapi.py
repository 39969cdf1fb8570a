"""The OpenAPI 3.1 description of the data API, built from the dataset catalogue: one GET path
per dataset, with its fields' JSON types, its parameters and every answer it can give."""
from __future__ import annotations

from domain.sharing.catalogue import DATASETS, Dataset
from domain.citations import credit_article

API_PREFIX = "/api/v1"
VERSION = "1.0.0"
LIMIT_MAX, OFFSET_MAX = 1000, 1_000_000
FIELDS_PATTERN = r"^[a-z_]{1,40}(,[a-z_]{1,40}){0,39}$"

_TYPES = {"integer": {"type": ["integer", "null"]}, "string": {"type": ["string", "null"]},
          "date": {"type": ["string", "null"], "format": "date"}, "decimal": {"type": ["string", "null"]}}
_ERROR = {"$ref": "#/components/schemas/Error"}
_ANSWERS = {"400": "请求参数无效", "401": "缺少接口密钥，或密钥无效、已过期、已暂停、已吊销",
            "403": "超出获批范围（数据集、字段、区域、期间）或调用地址不在允许范围内", "429": "超过每分钟调用上限"}


#: what a dataset serves beyond its label (the credit datasets' classes and masking)
DESCRIPTIONS = {
    "credit_open_records": "林业信用数据中开放属性为“无条件开放”、仍有效的记录（失信信息仅在公示期内）；"
                           f"自然人的姓名和证件号码一律脱敏（{credit_article('open', True)}）",
    "credit_shared_records": "林业信用数据中共享属性为“无条件共享”、仍有效的记录（失信信息仅在公示期内），"
                             f"供其他公共管理和服务机构履行职责使用（{credit_article('sharing')}）；个人信息未获批时脱敏",
}


def _errors(*codes: str) -> dict:
    return {c: {"description": _ANSWERS[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _param(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _row_schema(ds: Dataset) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {k: {**_TYPES[f.type], "description": f.label + _personal_note(ds, f)}
                           for k, f in ds.fields.items()}}


def _personal_note(ds: Dataset, f) -> str:
    if not f.personal:
        return ""
    return "（个人信息，一律脱敏）" if ds.always_masked else "（个人信息，未获批时脱敏）"


def _operation(name: str, ds: Dataset) -> dict:
    params = [_param("region", {"type": "integer", "minimum": 100000000000, "maximum": 999999999999},
                     "区划代码（12位），须在获批区域之内；不填则为全部获批区域"),
              _param("fields", {"type": "string", "pattern": FIELDS_PATTERN},
                     "所需字段，逗号分隔，须为获批字段；不填则为全部获批字段")]
    if ds.date_field:
        params += [_param("from", {"type": "string", "format": "date"}, "数据起始日期，不得早于获批期间"),
                   _param("to", {"type": "string", "format": "date"}, "数据截止日期，不得晚于获批期间")]
    params += [_param("limit", {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": 100}, "每页条数"),
               _param("offset", {"type": "integer", "minimum": 0, "maximum": OFFSET_MAX, "default": 0}, "起始位置")]
    page = {"type": "object", "required": ["dataset", "fields", "masked", "total", "limit", "offset", "rows"],
            "additionalProperties": False, "properties": {
                "dataset": {"const": name}, "label": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string", "enum": list(ds.fields)}},
                "masked": {"type": "boolean", "description": "个人信息是否已脱敏"},
                "total": {"type": "integer", "minimum": 0}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                "rows": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}}}}
    return {"get": {"operationId": f"get_{name}", "summary": ds.label,
                    "description": DESCRIPTIONS.get(name, ds.label), "security": [{"bearer": []}],
                    "parameters": params,
                    "responses": {"200": {"description": "获批范围内的数据", "content": {"application/json": {"schema": page}}},
                                  **_errors("400", "401", "403", "429")}}}


def spec() -> dict:
    grant = {"type": "object", "required": ["unit", "purpose", "valid_until", "regions", "datasets"], "properties": {
        "unit": {"type": "string"}, "purpose": {"type": "string"}, "valid_until": {"type": "string", "format": "date"},
        "data_from": {"type": "string", "format": "date"}, "data_to": {"type": "string", "format": "date"},
        "personal_in_clear": {"type": "boolean"}, "regions": {"type": "array", "items": {"type": "integer"}},
        "datasets": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}
    paths = {f"{API_PREFIX}/datasets/{name}": _operation(name, ds) for name, ds in DATASETS.items()}
    paths[f"{API_PREFIX}/grant"] = {"get": {
        "operationId": "get_grant", "summary": "本密钥获批的数据范围", "security": [{"bearer": []}],
        "responses": {"200": {"description": "获批范围", "content": {"application/json": {"schema": grant}}},
                      **_errors("401", "403", "429")}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "农村集体经济数据共享接口", "version": VERSION,
                 "description": "只读接口：每个密钥仅能读取其审批通过的数据集、字段、区域和期间；"
                                "个人信息未获批时脱敏；每次调用均记录日志。非GET请求一律返回405。"},
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Error": {"type": "object", "required": ["error"], "additionalProperties": False,
                                             "properties": {"error": {"type": "string"}}},
                                   **{name: _row_schema(ds) for name, ds in DATASETS.items()}}},
    }
