using System.CommandLine;
using System.CommandLine.Parsing;
using Portier.Core.Devices;
using Portier.Simulator;

// A door-controller simulator: pairs with a Portier server, then speaks the device protocol over MQTT.
var file = new Option<string>("--devices", "--file") { Description = "Credentials file", DefaultValueFactory = _ => "devices.json" };
var dropAcks = new Option<bool>("--drop-acks") { Description = "Never acknowledge commands" };

var server = new Option<Uri>("--server")
{
    Description = "Portier server",
    DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
    CustomParser = r =>
    {
        if (Uri.TryCreate(r.Tokens[0].Value, UriKind.Absolute, out var uri)) return uri;
        r.AddError("--server must be an absolute URL such as http://127.0.0.1:5080.");
        return null;
    },
};
var code = new Option<string>("--code") { Description = "Pairing code from the console or API", Required = true };
var device = new Option<Guid>("--device") { Description = "Device id", Required = true };
var hardwareId = new Option<string>("--hardware-id") { Description = "Serial number reported at pairing", DefaultValueFactory = _ => Environment.MachineName };
var pair = new Command("pair", "Redeem a pairing code and save the device's credentials") { server, code, device, hardwareId, file };
pair.SetAction((r, ct) => Commands.PairAsync(r.GetValue(server)!, r.GetValue(code)!, r.GetValue(device), r.GetValue(hardwareId)!, r.GetValue(file)!, ct));

var heartbeat = Duration("--heartbeat", "Heartbeat interval (e.g. 30s, 1m)", "30s");
var silent = new Option<bool>("--silent") { Description = "Stay connected but send no heartbeats" };
var run = new Command("run", "Connect every device, send heartbeats, acknowledge and print commands") { file, heartbeat, silent, dropAcks };
run.SetAction((r, ct) => Commands.RunAsync(r.GetValue(file)!, r.GetValue(heartbeat), r.GetValue(silent), r.GetValue(dropAcks), ct));

var card = new Option<string>("--card") { Description = "Card number to present", DefaultValueFactory = _ => "1234" };
var scanDevice = new Option<Guid?>("--device") { Description = "Device id (default: the first in the file)" };
var pin = new Option<string?>("--pin") { Description = "A PIN to type at the keypad instead of presenting a card" };
var reader = new Option<string>("--reader") { Description = "The reader the scan comes from (its readerId, as registered on the device)", DefaultValueFactory = _ => SimulatedDevice.DefaultReader };
reader.Validators.Add(r => { if (r.GetValueOrDefault<string>() is not { Length: >= 1 and <= 64 }) r.AddError("--reader must be 1 to 64 characters."); });
var offlineAfter = Duration("--offline-after", "Offline mode: decide locally when the server has not answered a scan within this budget (e.g. 2s)", "2s");
var scan = new Command("scan", "Present a card (or type a PIN) at a device's reader and print the answer") { file, scanDevice, card, pin, reader, dropAcks, offlineAfter };
scan.SetAction((r, ct) => Commands.ScanAsync(r.GetValue(file)!, r.GetValue(scanDevice), r.GetValue(card)!, r.GetValue(pin), r.GetValue(reader)!, r.GetValue(dropAcks), r.GetValue(offlineAfter), ct));

var sync = new Command("sync", "Offline mode: connect, set the clock and fetch the bundle from the server, and upload the events decided alone") { file, scanDevice };
sync.SetAction((r, ct) => Commands.SyncAsync(r.GetValue(file)!, r.GetValue(scanDevice), ct));

var count = new Option<int>("--count") { Description = "Wrong PINs to type", DefaultValueFactory = _ => 50 };
count.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100_000) r.AddError("--count must be 1 to 100000."); });
var digits = new Option<int>("--digits") { Description = "Length of each PIN", DefaultValueFactory = _ => 6 };
digits.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 4 or > 12) r.AddError("--digits must be 4 to 12."); });
var guess = new Command("guess", "Type a burst of wrong PINs at a device's keypad, as someone guessing would, and count the answers") { file, scanDevice, count, digits };
guess.SetAction((r, ct) => Commands.GuessAsync(r.GetValue(file)!, r.GetValue(scanDevice), r.GetValue(count), r.GetValue(digits), ct));

var position = new Argument<DoorPosition>("position") { Description = "open or closed" };
var exit = new Option<bool>("--exit") { Description = "The request-to-exit button was pressed" };
var door = new Command("door", "Report the door sensor at a device: open or closed") { file, scanDevice, position, exit };
door.SetAction((r, ct) => Commands.DoorAsync(r.GetValue(file)!, r.GetValue(scanDevice), r.GetValue(position), r.GetValue(exit), ct));

var input = new Argument<string>("input") { Description = "lockdown or evacuation", DefaultValueFactory = _ => InputMessage.Lockdown };
input.Validators.Add(r => { if (r.GetValueOrDefault<string>() is not (InputMessage.Lockdown or InputMessage.Evacuation)) r.AddError("input must be lockdown or evacuation."); });
var press = new Command("press", "Press a controller's lockdown (or evacuation) button: starts the plans that name the device as a trigger") { file, scanDevice, input };
press.SetAction((r, ct) => Commands.PressAsync(r.GetValue(file)!, r.GetValue(scanDevice), r.GetValue(input)!, ct));

var rate = new Option<int>("--rate") { Description = "Scans per second", DefaultValueFactory = _ => 10 };
rate.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 10_000) r.AddError("--rate must be 1 to 10000."); });
var duration = Duration("--duration", "How long to keep scanning (e.g. 10s)", "10s");
var cards = new Option<string[]>("--card") { Description = "Card numbers to present, in turn", DefaultValueFactory = _ => ["1234"], AllowMultipleArgumentsPerToken = true };
var warmup = Duration("--warmup", "Scan at the same rate this long first, unmeasured, so the server is past its start-up (e.g. 10s)", "0s");
var load = new Command("load", "Scan at a fixed rate across all devices and print latency percentiles") { file, rate, duration, warmup, cards, dropAcks };
load.SetAction((r, ct) => Commands.LoadAsync(r.GetValue(file)!, r.GetValue(rate), r.GetValue(duration), r.GetValue(warmup), r.GetValue(cards)!, r.GetValue(dropAcks), ct));

var token = new Option<string>("--token") { Description = "API token with events:subscribe", Required = true };
var site = new Option<Guid>("--site") { Description = "Site id", Required = true };
var watch = new Command("watch", "Follow a site's live events (access, doors, devices, tasks) and print them") { server, token, site };
watch.SetAction((r, ct) => LiveWatch.WatchAsync(r.GetValue(server)!, r.GetValue(token)!, r.GetValue(site), ct));

var port = new Option<int>("--port") { Description = "Loopback port to listen on", DefaultValueFactory = _ => 9000 };
var secret = new Option<string>("--secret") { Description = "The webhook endpoint's secret (whsec_…)", Required = true };
var receive = new Command("receive-webhooks", "Receive webhook deliveries on loopback, verify their signatures and print them") { port, secret };
receive.SetAction((r, ct) => WebhookListener.ListenAsync(r.GetValue(port), r.GetValue(secret)!, TimeProvider.System, ct));

var root = new RootCommand("Portier door controller simulator") { pair, run, scan, sync, guess, door, press, load, watch, receive };
return await root.Parse(args).InvokeAsync();

static Option<TimeSpan> Duration(string name, string description, string fallback) => new(name)
{
    Description = description,
    DefaultValueFactory = _ => Durations.Parse(fallback)!.Value,
    CustomParser = r =>
    {
        if (Durations.Parse(r.Tokens[0].Value) is { } value) return value;
        r.AddError($"{name}: use a number with ms, s, m or h, e.g. 30s.");
        return default;
    },
};
