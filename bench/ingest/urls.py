from django.urls import include, path

from bench.ingest.baseline import baseline_receive

urlpatterns = [
    path("bench/baseline/", baseline_receive),
    path("", include("pemilu.urls")),
]
