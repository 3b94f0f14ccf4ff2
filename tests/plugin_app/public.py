from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import path

from jiceng.core.public import found, public


@dataclass(frozen=True)
class Well:
    name: str


@public
def well(request, number: int):
    w = found(Well(f"{number}号井") if number < 100 else None)
    return HttpResponse(f"<h1>{w.name}</h1>")


urlpatterns = [path("<int:number>/", well, name="plugin_public_well")]
