/**
 * NServiceBus on RabbitMQ (docs/nservicebus.md): the transport's command line, `rabbitmq-transport`,
 * as a zip of the tool published for win-x64 (the NuGet tool package needs a .NET SDK on the host; the
 * zip is how an offline host gets it — UNCONFIRMED which form Cortex ships). What the tool does to the
 * broker is the nservicebus_queues model's (src/lab/components/nservicebus.ts).
 */
import type { ComponentArtifacts } from './types.js';

export const RABBITMQ_TRANSPORT_ZIP_ID = 'nservicebus-rabbitmq-10.1.0';

function transportZip(version: string) {
  return {
    id: `nservicebus-rabbitmq-${version}`,
    fileName: `NServiceBus.Transport.RabbitMQ.CommandLine-${version}-win-x64.zip`,
    artifact: { name: 'nservicebusRabbitMq', version },
    entries: {
      'rabbitmq-transport.exe': `lab synthetic rabbitmq-transport ${version} win-x64`,
      'rabbitmq-transport.dll': `lab synthetic NServiceBus.Transport.RabbitMQ.CommandLine ${version}`,
    },
  };
}

export const nservicebusArtifacts: ComponentArtifacts = { archives: [transportZip('10.1.0'), transportZip('10.2.0')] };
