from hospital_desktop.core.domain.values import HospitalDraft


def test_create_and_get_hospital(services):
    created = services.hospitals.create(HospitalDraft(name="St Mary's", time_zone="Europe/London"))
    assert services.hospitals.get(created.id) == created
    assert services.summary().hospitals == 1
