export { startLabSsh, LAB_SSH_PORT, type LabSsh, type LabSshOptions } from './server.js';
export { startLabSftp, windowsPathOf, type SftpSink } from './sftp.js';
