from django.shortcuts import get_object_or_404, render

from network.models import Member, Organisation


def home(request):
    return render(request, "network/home.html")


def organisation_list(request):
    organisations = Organisation.objects.order_by("name")[:50]
    return render(request, "network/organisation_list.html", {"organisations": organisations})


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    return render(request, "network/organisation_detail.html", {"organisation": organisation})


def member_detail(request, pk):
    member = get_object_or_404(Member.objects.visible_to(request.user), pk=pk)
    return render(request, "network/member_detail.html", {"member": member})


def member_list(request):
    return render(request, "network/member_list.html")


def where(request):
    return render(request, "network/where.html")


def profile_edit(request):
    return render(request, "network/profile_edit.html")


def account(request):
    return render(request, "network/account.html")
