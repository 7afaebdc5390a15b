// The status bar items, rendered from the StatusModel: kernel release and
// build state (a click shows the rustko output), and beside it the VM run
// action with the last run's verdict (a click runs the module in a VM).
import * as vscode from 'vscode';
import { StatusModel } from './lib/status';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rustko.status', vscode.StatusBarAlignment.Left, 10);
  private readonly runItem = vscode.window.createStatusBarItem('rustko.run', vscode.StatusBarAlignment.Left, 9);

  constructor() {
    this.item.name = 'rustko';
    this.item.command = 'rustko.showOutput';
    this.runItem.name = 'rustko: Run in VM';
    this.runItem.command = 'rustko.runModule';
  }

  render(model: StatusModel): void {
    const v = model.view();
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor = background(v.level);
    this.item.show();
    const r = model.runView();
    this.runItem.text = r.text;
    this.runItem.tooltip = r.tooltip;
    this.runItem.backgroundColor = background(r.level);
    if (r.visible) {
      this.runItem.show();
    } else {
      this.runItem.hide();
    }
  }

  hide(): void {
    this.item.hide();
    this.runItem.hide();
  }

  dispose(): void {
    this.item.dispose();
    this.runItem.dispose();
  }
}

function background(level: string): vscode.ThemeColor | undefined {
  return level === 'error'
    ? new vscode.ThemeColor('statusBarItem.errorBackground')
    : level === 'warning'
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
}
