from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from jiceng.core.web import needs

from .plugin import SEE_WELLS


@login_required
@needs(SEE_WELLS)
def wells(request):
    return HttpResponse("<h1>水井一览</h1>")


urlpatterns = [path("", wells, name="plugin_wells")]
