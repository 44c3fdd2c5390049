"""What every API module shares: the problem+json responses documented on each operation, and
the page size of lists."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework.pagination import PageNumberPagination

PROBLEM = OpenApiResponse(description="application/problem+json (RFC 9457)")


ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM}


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """DRF's parameters with their true range: from 1 (page 0 is a 404). A page_size over
        max_page_size is served as max_page_size, not refused."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
