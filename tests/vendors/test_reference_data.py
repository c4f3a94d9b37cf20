"""`migrate` alone loads Lorestan's counties (with aliases) and the sample categories."""

from pathlib import Path

import pytest
from django.conf import settings

from bazaarche.text import fold
from vendors.models import Category, CategoryGroup, County, CountyAlias
from vendors.reference_data import load_categories, load_counties


@pytest.mark.django_db
def test_migrate_loads_twelve_lorestan_counties_with_aliases():
    assert County.objects.filter(province__slug="lorestan").count() == 12
    assert CountyAlias.objects.get(key=fold("دوره")).county.slug == "chegeni"
    assert County.objects.get(slug="mamulan").name_fa == "معمولان"


@pytest.mark.django_db
def test_migrate_loads_sample_categories_with_groups_and_stars():
    assert Category.objects.count() == 42
    assert CategoryGroup.objects.count() == 7
    assert Category.objects.get(code="5005").starred is True
    assert Category.objects.get(code="1002").starred is False
    assert Category.objects.get(code="3001").group.name_en == "Livestock products"


@pytest.mark.django_db
def test_reference_data_loading_again_changes_nothing():
    data = Path(settings.BASE_DIR) / "data"
    province = County.objects.first().province
    before = (County.objects.count(), CountyAlias.objects.count(), Category.objects.count())
    load_counties(data / "lorestan_counties.csv", province, County, CountyAlias)
    load_categories(data / "categories_sample.csv", CategoryGroup, Category)
    assert (County.objects.count(), CountyAlias.objects.count(), Category.objects.count()) == before
