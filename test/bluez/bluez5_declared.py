'''python3-dbusmock's bluez5 template, with the signals real BlueZ declares in its introspection.

dbusmock emits PropertiesChanged / InterfacesAdded / InterfacesRemoved but does not list them
in Introspect; D-Bus clients that subscribe from introspection data (dbus-next, used by noble's
BlueZ bindings) then never see them. This adds the declarations and changes nothing else.
'''
import xml.etree.ElementTree as ET

import dbus
import dbus.service

from dbusmock import mockobject
from dbusmock.templates.bluez5 import *  # noqa: F401,F403 (BUS_NAME, MAIN_OBJ, SYSTEM_BUS, IS_OBJECT_MANAGER, load)

SIGNALS = {
    'org.freedesktop.DBus.Properties': [('PropertiesChanged', ['s', 'a{sv}', 'as'])],
    'org.freedesktop.DBus.ObjectManager': [('InterfacesAdded', ['o', 'a{sa{sv}}']), ('InterfacesRemoved', ['o', 'as'])],
}

_original = mockobject.DBusMockObject.Introspect


@dbus.service.method(dbus.INTROSPECTABLE_IFACE, in_signature='', out_signature='s',
                     path_keyword='object_path', connection_keyword='connection')
def _introspect(self, object_path, connection):
    tree = ET.fromstring(_original(self, object_path, connection))
    for iface, signals in SIGNALS.items():
        node = tree.find(f".//interface[@name='{iface}']")
        if node is None:
            continue
        for name, types in signals:
            if node.find(f"signal[@name='{name}']") is None:
                sig = ET.SubElement(node, 'signal', {'name': name})
                for t in types:
                    ET.SubElement(sig, 'arg', {'type': t})
    return ET.tostring(tree, encoding='utf8', method='xml').decode('utf8')


mockobject.DBusMockObject.Introspect = _introspect
