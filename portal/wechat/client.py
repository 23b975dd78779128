"""WeChat's API through wechatpy, with the access token shared by every process.

An access token is valid for two hours and fetching a new one with the classic endpoint invalidates
the previous one, so processes refreshing on their own would keep knocking each other out. Here:
* the token lives in the cache (Redis in production), under the app id;
* one process at a time refreshes it, under a lock in the same cache, through the stable-token
  endpoint (which does not invalidate a token other processes hold); the others wait for it;
* an answer of 40001 (invalid) or 42001 (expired) makes exactly one refresh and one retry;
* 45009 (rate limit) and 48001 (not authorised) are raised as they are (the caller backs off or
  reports); every API error is recorded on the account for the admin, without the token.
The API's base URL is `WECHAT_API_BASE_URL`, so tests and a staging proxy can point it elsewhere.
"""

import logging
import time

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

logger = logging.getLogger("portal.wechat")

WECHAT_ORIGIN = "https://api.weixin.qq.com"
TOKEN_ERRORS = {40001, 40014, 42001}
LOCK_SECONDS = 30  # longest a refresh may hold the lock (a crashed holder frees it then)
WAIT_SECONDS = 10  # longest a process waits for another's refresh
MARGIN_SECONDS = 300  # a token is replaced this long before WeChat expires it


def api_url(path: str) -> str:
    return settings.WECHAT_API_BASE_URL.rstrip("/") + path


class Client(WeChatClient):
    """A wechatpy client for one app id; `account_id` (optional) is where its errors are recorded."""

    def __init__(self, app_id: str, secret: str, account_id: int | None = None):
        super().__init__(app_id, secret, timeout=settings.WECHAT_API_TIMEOUT, auto_retry=False)
        self.account_id = account_id
        self.API_BASE_URL = api_url("/cgi-bin/")

    @classmethod
    def for_account(cls, account) -> "Client":
        return cls(account.app_id, account.app_secret, account.pk)

    # The shared token -----------------------------------------------------------------------------

    @property
    def token_key(self) -> str:
        return f"wechat:token:{self.appid}"

    @property
    def access_token(self) -> str:
        return cache.get(self.token_key) or self.refresh_token(stale=None)

    def refresh_token(self, stale: str | None, force: bool = False) -> str:
        """A token other than `stale`: another process's fresh one, or one fetched here under the lock."""
        lock_key = f"{self.token_key}:lock"
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            current = cache.get(self.token_key)
            if current and current != stale:
                return current
            if cache.add(lock_key, "1", LOCK_SECONDS):
                try:
                    current = cache.get(self.token_key)
                    if current and current != stale:
                        return current
                    return self._fetch_stable_token(force)
                finally:
                    cache.delete(lock_key)
            if time.monotonic() > deadline:
                raise WeChatClientException(None, "timed out waiting for another process to refresh the token")
            time.sleep(0.05)  # another process is refreshing: wait for its token

    def _fetch_stable_token(self, force: bool) -> str:
        logger.info("wechat: fetching a stable access token for %s%s", self.appid, " (forced)" if force else "")
        try:
            response = self._http.post(
                api_url("/cgi-bin/stable_token"),
                json={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                    "force_refresh": force,
                },
                timeout=self.timeout,
            )
            response.raise_for_status()
            result = response.json()
        except Exception as error:  # network, HTTP status, not JSON
            self.record_error(None, f"stable_token: {type(error).__name__}")
            raise WeChatClientException(None, f"stable_token failed: {type(error).__name__}") from None
        if result.get("errcode"):
            self.record_error(result["errcode"], result.get("errmsg", ""))
            raise WeChatClientException(result["errcode"], result.get("errmsg", ""))
        token = result["access_token"]
        ttl = max(60, int(result.get("expires_in", 7200)) - MARGIN_SECONDS)
        cache.set(self.token_key, token, ttl)
        return token

    def fetch_access_token(self):
        """wechatpy's entry point (its own retry calls it): the shared, locked refresh."""
        return {"access_token": self.refresh_token(stale=cache.get(self.token_key))}

    # Requests: one refresh and one retry on a token error ------------------------------------------

    def _request(self, method, url_or_endpoint, **kwargs):
        try:
            return self._request_once_more_on_token_error(method, url_or_endpoint, **kwargs)
        except requests.RequestException as error:  # unreachable, timed out: an API error like the others
            self.record_error(None, f"network: {type(error).__name__}")
            raise WeChatClientException(None, f"network: {type(error).__name__}") from None

    def _request_once_more_on_token_error(self, method, url_or_endpoint, **kwargs):
        if url_or_endpoint.startswith(WECHAT_ORIGIN):
            url_or_endpoint = api_url(url_or_endpoint[len(WECHAT_ORIGIN) :])
        if str(kwargs.get("api_base_url", "")).startswith(WECHAT_ORIGIN):
            kwargs["api_base_url"] = api_url(kwargs["api_base_url"][len(WECHAT_ORIGIN) :])
        params = dict(kwargs.pop("params", None) or {})
        token = params.get("access_token") or self.access_token
        try:
            return super()._request(method, url_or_endpoint, params={**params, "access_token": token}, **kwargs)
        except WeChatClientException as error:
            if error.errcode not in TOKEN_ERRORS:
                self.record_error(error.errcode, error.errmsg)
                raise
            logger.info("wechat: token refused (%s) for %s: one refresh, one retry", error.errcode, self.appid)
        token = self.refresh_token(stale=token, force=False)
        try:
            return super()._request(method, url_or_endpoint, params={**params, "access_token": token}, **kwargs)
        except WeChatClientException as error:
            self.record_error(error.errcode, error.errmsg)
            raise

    def record_error(self, errcode, errmsg) -> None:
        logger.warning("wechat API error for %s: %s %s", self.appid, errcode, errmsg)
        if self.account_id is None:
            return
        from .models import Account

        Account.objects.filter(pk=self.account_id).update(
            last_error_at=timezone.now(), last_error=f"{errcode} {errmsg}"[:300]
        )
