// The Backend over Tauri: the only UI module that reaches @tauri-apps, through the bindings
// generated from the Rust commands.
import { type Backend, type StepReport, unwrap } from "./index";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { commands, events } from "./bindings";

export function createTauriBackend(): Backend {
  return {
    appInfo: async () => unwrap(await commands.appInfo()),
    storeNotice: async () => unwrap(await commands.storeNotice()),
    listConnections: async (query) => unwrap(await commands.listConnections(query)),
    getConnection: async (id) => unwrap(await commands.getConnection(id)),
    validateConnection: async (draft) => unwrap(await commands.validateConnection(draft)),
    saveConnection: async (draft) => unwrap(await commands.saveConnection(draft)),
    deleteConnection: async (id) => unwrap(await commands.deleteConnection(id)),
    undoDelete: async (id) => unwrap(await commands.undoDelete(id)),
    duplicateConnection: async (id) => unwrap(await commands.duplicateConnection(id)),
    scopeCatalog: async () => unwrap(await commands.scopeCatalog()),
    serverScopeCatalog: async (metadata) => unwrap(await commands.serverScopeCatalog(metadata)),
    discoverServer: async (settings) => unwrap(await commands.discoverServer(settings)),
    choosePreset: async (settings, id) => unwrap(await commands.choosePreset(settings, id)),
    readServiceKey: async (preset, path) => unwrap(await commands.readServiceKey(preset, path)),
    searchScopes: async (query) => unwrap(await commands.searchScopes(query)),
    getToken: async (id) => unwrap(await commands.getToken(id)),
    tokenStatus: async (id) => unwrap(await commands.tokenStatus(id)),
    startAuthorization: async (id) => unwrap(await commands.startAuthorization(id)),
    cancelAuthorization: async (id) => {
      unwrap(await commands.cancelAuthorization(id));
    },
    startDeviceSignIn: async (id) => unwrap(await commands.startDeviceSignIn(id)),
    finishDeviceSignIn: async (id) => unwrap(await commands.finishDeviceSignIn(id)),
    openInBrowser: async (url) => {
      unwrap(await commands.openInBrowser(url));
    },
    renewToken: async (id) => unwrap(await commands.renewToken(id)),
    forgetTokens: async (id) => unwrap(await commands.forgetTokens(id)),
    copyText: async (text) => {
      unwrap(await commands.copyText(text));
    },
    copyToken: async (id, format) => unwrap(await commands.copyToken(id, format)),
    getPrefs: async () => unwrap(await commands.getPrefs()),
    setPrefs: async (prefs) => {
      unwrap(await commands.setPrefs(prefs));
    },
    defaultExportPath: async () => unwrap(await commands.defaultExportPath()),
    chooseFile: async (purpose, current) => unwrap(await commands.chooseFile(purpose, current)),
    exportConnections: async (ids, path, replace) => unwrap(await commands.exportConnections(ids, path, replace)),
    previewImport: async (path) => unwrap(await commands.previewImport(path)),
    importConnections: async (path, choices) => unwrap(await commands.importConnections(path, choices)),
    sandboxStatus: async () => unwrap(await commands.sandboxStatus()),
    addSandboxConnection: async () => unwrap(await commands.addSandboxConnection()),
    onTokenRenewed: (listener) => events.tokenRenewed.listen((event) => listener(event.payload.connectionId)),
    onConnectionsChanged: (listener) => events.connectionsChanged.listen(() => listener()),
    onDeleteFinished: (listener) => events.deleteFinished.listen((event) => listener(event.payload)),
    onSignInOpened: (listener) => events.signInOpened.listen((event) => listener(event.payload.connectionId, event.payload.url)),
    onCloseRequested: (keepOpen) =>
      getCurrentWindow().onCloseRequested((event) => {
        if (keepOpen()) event.preventDefault();
      }),
    closeWindow: () => getCurrentWindow().destroy(),
    setWindowTitle: (title) => getCurrentWindow().setTitle(title),
    testConnection: async (id, onStep) => {
      const unlisten = await events.testProgress.listen((event) => {
        if (event.payload.connectionId === id) onStep(event.payload.step as StepReport);
      });
      try {
        return unwrap(await commands.testConnection(id));
      } finally {
        unlisten();
      }
    },
  };
}
