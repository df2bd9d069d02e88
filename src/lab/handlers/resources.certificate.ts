// Models ps1/resources/certificate.ps1: the Set of the certificate resource, on its lab model (./resources/certificate.ts).
import { resourceSetHandler } from './resources/set-handler.js';

export const resourcesCertificate = resourceSetHandler('certificate');
