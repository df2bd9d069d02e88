// Models ps1/resources/erlang-cookie.ps1: the Set of the erlang_cookie resource, on its lab model (./resources/erlang-cookie.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesErlangCookie = resourceSetHandler('erlang_cookie');
