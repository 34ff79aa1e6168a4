"""The explicit list of channel adapters. Mappings enable them per tenant."""

from __future__ import annotations

from gateway.channels import ChannelAdapter


def all_adapters() -> list[ChannelAdapter]:
    from adapters.api import adapter as api
    from adapters.callcenter import adapter as callcenter
    from adapters.open311 import adapter as open311
    from adapters.sms import adapter as sms
    from adapters.telegram import adapter as telegram
    from adapters.webform import adapter as webform
    from adapters.whatsapp import reply as whatsapp  # its adapter, with its replier

    return [
        api.ADAPTER,
        telegram.ADAPTER,
        whatsapp.ADAPTER,
        sms.ADAPTER,
        callcenter.ADAPTER,
        webform.ADAPTER,
        open311.ADAPTER,
    ]
