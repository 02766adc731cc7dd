"""Every error code the apps can meet, as a sentence for the person at the screen, in their
language. The till, the kiosk and the manager show these, never the core's English developer
text (that goes to the log and to the headless protocol).

Rule: a code missing here still shows a translated sentence (with the code, for support), and
tests/ui/test_error_messages.py fails for any code the sources raise that has no entry; at the
kiosk a shopper never sees a code at all, only what to do.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

CONTEXT = "ErrorMessages"

MESSAGES: dict[str, str] = {
    # login and approvals
    "invalid_pin": QT_TRANSLATE_NOOP("ErrorMessages", "Wrong staff number or PIN"),
    "staff_locked": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This staff member is locked after too many wrong PINs: a manager must unlock"),
    "permission_denied": QT_TRANSLATE_NOOP("ErrorMessages", "This needs a supervisor's approval"),
    "approver_not_allowed": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This person may not approve this: ask a supervisor"),
    "override_wait": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Too many wrong supervisor PINs: wait a moment, then try again"),
    "not_logged_in": QT_TRANSLATE_NOOP("ErrorMessages", "Log in first"),
    # the basket
    "invalid_barcode": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This barcode cannot be read: scan again or type the number"),
    "not_a_barcode": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The scan was misread: scan again (staff: check the scanner's keyboard layout)"),
    "unknown_product": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This product is not in the catalog: call a supervisor"),
    "product_inactive": QT_TRANSLATE_NOOP("ErrorMessages", "This product is not for sale"),
    "bad_product": QT_TRANSLATE_NOOP("ErrorMessages", "This product's data is incomplete: call a supervisor"),
    "payment_code": QT_TRANSLATE_NOOP("ErrorMessages", "That is a payment code: press Pay first"),
    "weight_required": QT_TRANSLATE_NOOP("ErrorMessages", "Put the item on the scale"),
    "invalid_quantity": QT_TRANSLATE_NOOP("ErrorMessages", "That quantity is not possible"),
    "unknown_line": QT_TRANSLATE_NOOP("ErrorMessages", "There is no such line"),
    "sale_totalled": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Payment has started: items and prices can no longer change"),
    "would_refund": QT_TRANSLATE_NOOP("ErrorMessages", "The sale would cost less than already paid"),
    "price_required": QT_TRANSLATE_NOOP("ErrorMessages", "Type the price of this item"),
    "discount_too_large": QT_TRANSLATE_NOOP(
        "ErrorMessages", "That discount is too large: something must be left to pay"),
    "age_check_required": QT_TRANSLATE_NOOP("ErrorMessages", "Check the customer's age first (F1)"),
    "no_open_sale": QT_TRANSLATE_NOOP("ErrorMessages", "There is no sale open"),
    "sale_open": QT_TRANSLATE_NOOP("ErrorMessages", "Finish, suspend or cancel the current sale first"),
    "empty_sale": QT_TRANSLATE_NOOP("ErrorMessages", "The sale is empty"),
    "has_tenders": QT_TRANSLATE_NOOP("ErrorMessages", "Payments were taken: finish the sale"),
    "not_found": QT_TRANSLATE_NOOP("ErrorMessages", "Not found"),
    # paying
    "invalid_amount": QT_TRANSLATE_NOOP("ErrorMessages", "That amount is not valid"),
    "overpayment": QT_TRANSLATE_NOOP("ErrorMessages", "More than is due: only cash gives change"),
    "nothing_due": QT_TRANSLATE_NOOP("ErrorMessages", "Nothing is due"),
    "full_pan_refused": QT_TRANSLATE_NOOP("ErrorMessages", "Never type a card number into the till"),
    "insufficient_points": QT_TRANSLATE_NOOP("ErrorMessages", "Not enough points"),
    "insufficient_balance": QT_TRANSLATE_NOOP("ErrorMessages", "Not enough balance on the card"),
    "card_locked": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This card is in use at another till: try again shortly"),
    "unknown_card": QT_TRANSLATE_NOOP("ErrorMessages", "Card not found"),
    "offline_card_limit": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Offline: this card cannot spend more until the link to HQ is back"),
    "offline_store_limit": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Offline: stored-value cards cannot spend more until HQ is back"),
    # payment codes (edge/till/mobile_payment.py)
    "payment_pending": QT_TRANSLATE_NOOP(
        "ErrorMessages", "A payment code payment is still waiting: wait, or cancel it first"),
    "invalid_payment_code": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This is not a WeChat Pay or Alipay payment code"),
    "payment_not_configured": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This till takes no payment codes: choose another way to pay"),
    "no_payment": QT_TRANSLATE_NOOP("ErrorMessages", "No payment is waiting"),
    "use_payment_code": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Scan the customer's payment code instead of typing a mobile payment"),
    "payment_offline": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The payment service cannot be reached: the customer was not charged. "
                         "Take another payment"),
    "payment_unsettled": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The payment is not settled yet: it is reversed in the background (if "
                         "the customer was charged, the money goes back). Scan a new code or "
                         "take another payment"),
    "payment_reversed": QT_TRANSLATE_NOOP(
        "ErrorMessages", "No payment in time: the payment was cancelled and the customer not "
                         "charged. Scan a new code"),
    "payment_refunded": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The customer was charged, then the payment was reversed: the money "
                         "goes back to them (minutes to a few days). Scan a new code or take "
                         "another payment"),
    "payment_failed": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The payment service failed before taking the payment: the customer "
                         "was not charged. Scan a new code"),
    "payment_declined": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The payment was declined: the customer was not charged. Ask for "
                         "another payment"),
    # online orders (edge/orders/), transfers between stores, HQ coupons
    "reserved_stock": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Online orders hold this stock: it cannot be sold at the counter"),
    "wrong_item": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Wrong item for this order line, and the customer allowed no "
                         "substitutes"),
    "not_picked": QT_TRANSLATE_NOOP("ErrorMessages", "This order is not picked yet"),
    "nothing_picked": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Nothing is picked for this order: pick an item or release the order"),
    "order_closed": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This order is closed (handed over, expired or cancelled)"),
    "already_handed_over": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This order was handed over already"),
    "payment_required": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This order is paid at pickup: sell its items first, then hand it over"),
    "already_recorded": QT_TRANSLATE_NOOP(
        "ErrorMessages", "This transfer was already recorded at this store"),
    "transfer_cancelled": QT_TRANSLATE_NOOP(
        "ErrorMessages", "HQ cancelled this transfer: do not ship it"),
    "unknown_coupon": QT_TRANSLATE_NOOP("ErrorMessages", "This coupon is not known"),
    "coupon_expired": QT_TRANSLATE_NOOP("ErrorMessages", "This coupon has expired"),
    "coupon_redeemed": QT_TRANSLATE_NOOP("ErrorMessages", "This coupon was already used"),
    "offline_coupon_limit": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Offline: coupons above the offline limit wait until HQ is back"),
    # members, returns, shifts, stock
    "unknown_member": QT_TRANSLATE_NOOP("ErrorMessages", "Member not found"),
    "no_member": QT_TRANSLATE_NOOP("ErrorMessages", "No member on this sale"),
    "duplicate_member": QT_TRANSLATE_NOOP("ErrorMessages", "This member already exists"),
    "duplicate_card": QT_TRANSLATE_NOOP("ErrorMessages", "This card number already exists"),
    "already_returned": QT_TRANSLATE_NOOP("ErrorMessages", "Already returned"),
    "not_returnable": QT_TRANSLATE_NOOP("ErrorMessages", "This cannot be returned"),
    "not_last_sale": QT_TRANSLATE_NOOP("ErrorMessages", "Only the last sale can be voided"),
    "blind_limit_exceeded": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Above the limit for a return without receipt"),
    "out_of_scope": QT_TRANSLATE_NOOP("ErrorMessages", "This item is not part of this count"),
    "count_closed": QT_TRANSLATE_NOOP("ErrorMessages", "This count is already closed"),
    "not_counted": QT_TRANSLATE_NOOP("ErrorMessages", "Nothing counted yet"),
    "no_shift": QT_TRANSLATE_NOOP("ErrorMessages", "Open a shift first"),
    "shift_open": QT_TRANSLATE_NOOP("ErrorMessages", "A shift is already open"),
    "bad_denomination": QT_TRANSLATE_NOOP("ErrorMessages", "That is not a note or coin of this currency"),
    # storage
    "storage_full": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The disk is full: nothing was recorded. Call support, then try again"),
    "storage_error": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The database refused the write: nothing was recorded. Try again"),
    "storage_low": QT_TRANSLATE_NOOP(
        "ErrorMessages", "The disk is almost full: no new sale can start. Call support"),
    # devices
    "no_answer": QT_TRANSLATE_NOOP("ErrorMessages", "The device does not answer"),
    "zero": QT_TRANSLATE_NOOP("ErrorMessages", "Nothing is on the scale"),
    "timeout": QT_TRANSLATE_NOOP("ErrorMessages", "The device did not answer in time"),
    "link_lost": QT_TRANSLATE_NOOP("ErrorMessages", "The connection to the device was lost"),
    "unreachable": QT_TRANSLATE_NOOP("ErrorMessages", "The device cannot be reached"),
    "busy": QT_TRANSLATE_NOOP("ErrorMessages", "The device is busy"),
    "closed": QT_TRANSLATE_NOOP("ErrorMessages", "The device is closed"),
    "not_open": QT_TRANSLATE_NOOP("ErrorMessages", "The device is not open"),
    "not_claimed": QT_TRANSLATE_NOOP("ErrorMessages", "The device is not ready"),
    "not_enabled": QT_TRANSLATE_NOOP("ErrorMessages", "The device is not ready"),
    "open_failed": QT_TRANSLATE_NOOP("ErrorMessages", "The device cannot be opened"),
    "no_driver": QT_TRANSLATE_NOOP("ErrorMessages", "No driver for this device"),
    "unsupported": QT_TRANSLATE_NOOP("ErrorMessages", "The device does not support this"),
    "bad_config": QT_TRANSLATE_NOOP("ErrorMessages", "The device is not set up correctly"),
    "missing_dependency": QT_TRANSLATE_NOOP("ErrorMessages", "A program part for this device is missing"),
    "job_not_done": QT_TRANSLATE_NOOP("ErrorMessages", "The printer is still printing"),
    "no_such_job": QT_TRANSLATE_NOOP("ErrorMessages", "No such print job"),
    "empty_job": QT_TRANSLATE_NOOP("ErrorMessages", "Nothing to print"),
    "training_mode": QT_TRANSLATE_NOOP(
        "ErrorMessages", "Not possible in training mode: log in normally for real work"),
    "paid_online": QT_TRANSLATE_NOOP("ErrorMessages", "This order is paid online: hand it over"),
    # anything else
    "bad_request": QT_TRANSLATE_NOOP("ErrorMessages", "That is not possible here"),
}


def message_for(code: str) -> str:
    """The translated sentence for `code` (staff screens)."""
    source = MESSAGES.get(code)
    if source is None:
        return QCoreApplication.translate("ErrorMessages", "Refused (%1): call a supervisor"
                                          ).replace("%1", code)
    return QCoreApplication.translate(CONTEXT, source)


def shopper_message_for(code: str) -> str:
    """At the kiosk: what to do, never a code."""
    if code in MESSAGES and code in SHOPPER_SAFE:
        return message_for(code)
    return QCoreApplication.translate("ErrorMessages",
                                      "Please wait: a member of staff is coming to help")


# Codes whose sentence a shopper can act on without staff.
SHOPPER_SAFE = frozenset({"invalid_barcode", "weight_required", "invalid_quantity", "nothing_due",
                          "insufficient_points", "insufficient_balance", "unknown_member",
                          "zero", "empty_sale", "age_check_required", "payment_code",
                          "not_a_barcode"})


def error_text(exc: BaseException) -> str:
    """What a staff screen shows for a refused action."""
    code = getattr(exc, "code", None)
    return message_for(code) if isinstance(code, str) else str(exc)


def shopper_error_text(exc: BaseException) -> str:
    """What the kiosk shows a shopper for a refused action."""
    code = getattr(exc, "code", None)
    return shopper_message_for(code if isinstance(code, str) else "")
