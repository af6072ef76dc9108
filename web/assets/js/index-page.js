// index-page.js - the pages' front door (/app/): signs in by the token in /app/#token=…, asks the API whose it is and opens that party's home; without a token, the way to the verifier.

import * as i18n from './i18n.js';
import * as api from './api.js';
import { notice, clearNotice } from './ui.js';
import * as consumer from './consumer.js';
import * as merchant from './merchant.js';
import * as agent from './agent.js';
import * as court from './court.js';
import * as regulator from './regulator.js';

const assets = document.querySelector('meta[name="disputed-assets"]').content;
await i18n.init(assets);
i18n.bindSwitch();

/* Each party's home, by the role of its token; a role without one sees who it is signed in as. */
const homes = { consumer, merchant, agent, platform: agent, court, association: court };
homes.regulator = regulator;

let principal = null;

function showWho() {
  const who = document.getElementById('who');
  who.hidden = !principal;
  if (principal) {
    document.getElementById('who-text').textContent = i18n.t('session.as', {
      role: i18n.t(`role.${principal.role}`), subject: principal.subject,
    });
  }
}

async function signIn() {
  const took = api.takeTokenFromUrl();
  if (!api.token()) return;
  document.getElementById('front').hidden = true;
  try {
    principal = await api.call('GET', '/v1/whoami');
  } catch (err) {
    api.signOut();
    document.getElementById('front').hidden = false;
    notice(err.status === 401 ? 'session.expired' : 'session.failed', { detail: err.message }, err.code || 'error');
    return;
  }
  document.body.dataset.role = principal.role;
  if (took) clearNotice();
  showWho();
  const home = homes[principal.role];
  if (home) {
    await home.start(document.getElementById('view'), principal);
  } else {
    const p = document.createElement('p');
    p.className = 'lead';
    p.dataset.i18n = 'session.no_home';
    document.getElementById('view').append(p);
    i18n.apply(p.parentElement);
  }
}

document.getElementById('signout').addEventListener('click', () => {
  api.signOut();
  location.replace('/app/');
});
i18n.onChange(showWho);
await signIn();
document.body.dataset.ready = 'true';
