#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd), writing each accepted message to a folder.

Usage: smtp_sink.py --port P --dir D [--defer-first] [--reject SUBSTRING]

Each accepted message is written as D/<n>-<recipient>.eml (one file per recipient) only
after the DATA is complete, then 250 is answered. --defer-first answers 451 to the first
delivery attempt for each recipient (so the sender must retry); --reject answers 550 for
recipients containing SUBSTRING. Prints 'ready' once listening.
"""
import argparse
import asyncio
import itertools
import os
import signal

from aiosmtpd.controller import Controller

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--dir", required=True)
parser.add_argument("--defer-first", action="store_true")
parser.add_argument("--reject", default=None)
args = parser.parse_args()
os.makedirs(args.dir, exist_ok=True)
counter = itertools.count(len(os.listdir(args.dir)))
seen = set()


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if args.reject and args.reject in address:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        if args.defer_first and any(r not in seen for r in rcpts):
            seen.update(rcpts)
            return "451 4.3.0 try again later"
        for rcpt in rcpts:
            n = next(counter)
            path = os.path.join(args.dir, f"{n:06d}-{rcpt}.eml")
            with open(path + ".tmp", "wb") as f:
                f.write(b"X-Envelope-From: " + envelope.mail_from.encode() + b"\r\n")
                f.write(envelope.original_content)
            os.rename(path + ".tmp", path)
        return "250 2.0.0 accepted"


controller = Controller(Handler(), hostname="127.0.0.1", port=args.port, decode_data=False,
                        data_size_limit=30 * 1024 * 1024)
controller.start()
print("ready", flush=True)
stop = asyncio.Event()


async def main():
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    controller.stop()


asyncio.run(main())
