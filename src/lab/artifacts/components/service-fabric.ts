/**
 * The lab's stand-ins for Service Fabric's standalone package and the Cortex application packages
 * (docs/service-fabric.md). The standalone zip holds the real package's script names at its root
 * (docs/service-fabric.md); each script's text names the runtime version it installs, so the lab knows which
 * package a node was created from by the hash of the extracted CreateServiceFabricCluster.ps1
 * (src/lab/components/service-fabric.ts). The Cortex package holds an application package folder with
 * its ApplicationManifest.xml (type CortexType) and one service manifest per service.
 */
import type { z } from 'zod';
import type { SyntheticArchiveSchema } from '../schema.js';

type Archive = z.input<typeof SyntheticArchiveSchema>;

/** The runtime (code) version each standalone package of the lab installs, by its artifact version. */
export const SF_CODE_VERSIONS = { '10.1': '10.1.1541.9590', '10.1.2448.9590': '10.1.2448.9590' } as const;

const SF_SCRIPTS = ['CreateServiceFabricCluster.ps1', 'RemoveServiceFabricCluster.ps1', 'AddNode.ps1', 'RemoveNode.ps1', 'CleanFabric.ps1', 'TestConfiguration.ps1', 'DownloadServiceFabricRuntimePackage.ps1'];

function standalonePackage(version: keyof typeof SF_CODE_VERSIONS): Archive {
  const code = SF_CODE_VERSIONS[version];
  const entries: Record<string, string> = {};
  for (const s of SF_SCRIPTS) entries[s] = `# ${s} of the Service Fabric standalone package, runtime ${code} (cortex-deploy lab stand-in)\n`;
  entries['DeploymentComponentsAutoextractor.exe'] = `Service Fabric deployment components ${code} (cortex-deploy lab stand-in)`;
  entries['MicrosoftAzureServiceFabric.cab'] = `Service Fabric runtime ${code} (cortex-deploy lab stand-in)`;
  entries['Tools\\ServiceFabricUpdateService.zip'] = `Service Fabric update service ${code} (cortex-deploy lab stand-in)`;
  entries['ClusterConfig.Windows.MultiMachine.json'] = '{ "name": "SampleCluster", "clusterConfigurationVersion": "1.0.0", "apiVersion": "06-2023" }\n';
  entries['EULA_ENU.txt'] = 'MICROSOFT SOFTWARE LICENSE TERMS (cortex-deploy lab stand-in)\n';
  return {
    id: `service-fabric-standalone-${version}`,
    fileName: `Microsoft.Azure.ServiceFabric.WindowsServer.${version}.zip`,
    artifact: { name: 'serviceFabric', version },
    entries,
  };
}

/** ApplicationManifest.xml of the Cortex application type, as the lab's packages hold it. */
export function cortexApplicationManifest(typeVersion: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<ApplicationManifest xmlns="http://schemas.microsoft.com/2011/01/fabric" ApplicationTypeName="CortexType" ApplicationTypeVersion="${typeVersion}">`,
    '  <Parameters>',
    '    <Parameter Name="ApiGateway_InstanceCount" DefaultValue="-1" />',
    '    <Parameter Name="FlowExecution_InstanceCount" DefaultValue="-1" />',
    '  </Parameters>',
    `  <ServiceManifestImport><ServiceManifestRef ServiceManifestName="ApiGatewayServicePkg" ServiceManifestVersion="${typeVersion}" /></ServiceManifestImport>`,
    `  <ServiceManifestImport><ServiceManifestRef ServiceManifestName="FlowExecutionServicePkg" ServiceManifestVersion="${typeVersion}" /></ServiceManifestImport>`,
    '</ApplicationManifest>',
    '',
  ].join('\r\n');
}

function cortexApplications(version: string): Archive {
  const service = (name: string) => `<?xml version="1.0" encoding="utf-8"?>\r\n<ServiceManifest Name="${name}" Version="${version}" xmlns="http://schemas.microsoft.com/2011/01/fabric" />\r\n`;
  return {
    id: `cortex-sf-apps-${version}`,
    fileName: `cortex-sf-apps-${version}.zip`,
    artifact: { name: 'cortexApps', version },
    entries: {
      'CortexApps\\ApplicationManifest.xml': cortexApplicationManifest(version),
      'CortexApps\\ApiGatewayServicePkg\\ServiceManifest.xml': service('ApiGatewayServicePkg'),
      'CortexApps\\ApiGatewayServicePkg\\Code\\Cortex.ApiGateway.exe': `Cortex API Gateway Service ${version} (cortex-deploy lab stand-in)`,
      'CortexApps\\FlowExecutionServicePkg\\ServiceManifest.xml': service('FlowExecutionServicePkg'),
      'CortexApps\\FlowExecutionServicePkg\\Code\\Cortex.FlowExecution.exe': `Cortex Flow Execution Service ${version} (cortex-deploy lab stand-in)`,
    },
  };
}

export const SERVICE_FABRIC_ARTIFACTS = {
  archives: [standalonePackage('10.1'), standalonePackage('10.1.2448.9590'), cortexApplications('1.0.0'), cortexApplications('1.1.0')],
};
