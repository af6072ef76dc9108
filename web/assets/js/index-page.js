// index-page.js - the pages' front door (/app/): the language switch and the way to the verifier.

import * as i18n from './i18n.js';

const assets = document.querySelector('meta[name="disputed-assets"]').content;
await i18n.init(assets);
i18n.bindSwitch();
