"""The insurance box keeps its choice across reloads, even one made before the list came."""

from hospital_desktop.core.domain.values import PayerRecord
from hospital_desktop.gui.widgets.payer_box import PayerBox

PAYERS = [PayerRecord(1, "Aetna"), PayerRecord(2, "Medicare")]


def test_a_choice_made_before_the_list_loads_is_kept(qtbot):
    box = PayerBox()
    qtbot.addWidget(box)
    box.select(2)
    box.set_payers(PAYERS)
    assert box.value() == 2 and box.currentText() == "Medicare"
    box.setCurrentIndex(box.findData(1))  # the user picks another
    box.set_payers(PAYERS)
    assert box.value() == 1
    box.select(None)
    assert box.value() is None and box.currentText() == "None / self-paying"
