// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

import {MiniOwnable} from "./MiniOwnable.sol";

/// An upgradeable beacon: every beacon proxy pointing here runs `implementation()`.
contract MiniBeacon is MiniOwnable {
    address private _implementation;

    event Upgraded(address indexed implementation);

    constructor(address implementation_, address initialOwner) MiniOwnable(initialOwner) {
        _implementation = implementation_;
        emit Upgraded(implementation_);
    }

    function implementation() external view returns (address) {
        return _implementation;
    }

    function upgradeTo(address next) external onlyOwner {
        _implementation = next;
        emit Upgraded(next);
    }
}

/// A proxy that keeps its beacon in the EIP-1967 beacon slot and runs the
/// beacon's current implementation.
contract MiniBeaconProxy {
    // bytes32(uint256(keccak256("eip1967.proxy.beacon")) - 1)
    bytes32 internal constant BEACON_SLOT = 0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50;

    event BeaconUpgraded(address indexed beacon);

    constructor(address beacon) {
        bytes32 slot = BEACON_SLOT;
        assembly {
            sstore(slot, beacon)
        }
        emit BeaconUpgraded(beacon);
    }

    fallback() external payable {
        address beacon;
        bytes32 slot = BEACON_SLOT;
        assembly {
            beacon := sload(slot)
        }
        address impl = MiniBeacon(beacon).implementation();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}
