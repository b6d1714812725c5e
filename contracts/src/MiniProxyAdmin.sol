// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {MiniOwnable} from "./MiniOwnable.sol";

/// Administers MiniProxy instances for its owner (the ProxyAdmin pattern):
/// the proxies' EIP-1967 admin slot points here, and only the owner upgrades.
contract MiniProxyAdmin is MiniOwnable {
    constructor(address initialOwner) MiniOwnable(initialOwner) {}

    function upgradeAndCall(address proxy, address implementation, bytes calldata data) external payable onlyOwner {
        (bool ok, bytes memory ret) =
            proxy.call{value: msg.value}(abi.encodeWithSignature("upgradeToAndCall(address,bytes)", implementation, data));
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    function changeProxyAdmin(address proxy, address newAdmin) external onlyOwner {
        (bool ok,) = proxy.call(abi.encodeWithSignature("changeAdmin(address)", newAdmin));
        require(ok, "changeAdmin failed");
    }
}
