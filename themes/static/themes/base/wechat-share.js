/* Inside WeChat only: load the JS-SDK, sign this page's URL (wechat-auth/jssdk/) and set what sharing it shows. */
(function () {
  var script = document.currentScript;
  if (!script || navigator.userAgent.indexOf("MicroMessenger") < 0) { return; }
  var data = script.dataset;
  var link = location.href.split("#")[0];
  var sdk = document.createElement("script");
  sdk.src = data.sdk;
  sdk.onload = function () {
    fetch(data.config + "?url=" + encodeURIComponent(link), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (config) {
        if (!config || !config.signature || !window.wx) { return; }
        wx.config({
          appId: config.appId, timestamp: config.timestamp, nonceStr: config.nonceStr, signature: config.signature,
          jsApiList: ["updateAppMessageShareData", "updateTimelineShareData"]
        });
        wx.ready(function () {
          var share = { title: data.title || document.title, desc: data.description || "", link: link,
                        imgUrl: data.image ? new URL(data.image, location.href).href : "" };
          wx.updateAppMessageShareData(share);
          wx.updateTimelineShareData(share);
        });
      });
  };
  document.head.appendChild(sdk);
})();
