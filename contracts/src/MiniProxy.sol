// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.20;

/// A transparent upgradeable proxy keeping its implementation and admin in
/// the EIP-1967 storage slots. The admin may only upgrade or hand over the
/// admin role; every other caller is forwarded to the implementation.
contract MiniProxy {
    // bytes32(uint256(keccak256("eip1967.proxy.implementation")) - 1)
    bytes32 internal constant IMPLEMENTATION_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    // bytes32(uint256(keccak256("eip1967.proxy.admin")) - 1)
    bytes32 internal constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    constructor(address implementation, address admin, bytes memory initData) payable {
        _setImplementation(implementation);
        _setAdmin(admin);
        if (initData.length > 0) {
            (bool ok, bytes memory ret) = implementation.delegatecall(initData);
            if (!ok) _bubble(ret);
        }
    }

    fallback() external payable {
        if (msg.sender == _admin()) {
            bytes4 sel = msg.sig;
            if (sel == bytes4(keccak256("upgradeToAndCall(address,bytes)"))) {
                (address impl, bytes memory data) = abi.decode(msg.data[4:], (address, bytes));
                _setImplementation(impl);
                if (data.length > 0) {
                    (bool ok, bytes memory ret) = impl.delegatecall(data);
                    if (!ok) _bubble(ret);
                }
                return;
            }
            if (sel == bytes4(keccak256("changeAdmin(address)"))) {
                address next = abi.decode(msg.data[4:], (address));
                emit AdminChanged(_admin(), next);
                _setAdmin(next);
                return;
            }
            revert("admin cannot call the implementation");
        }
        _delegate(_implementation());
    }

    receive() external payable {
        _delegate(_implementation());
    }

    function _implementation() internal view returns (address a) {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            a := sload(slot)
        }
    }

    function _admin() internal view returns (address a) {
        bytes32 slot = ADMIN_SLOT;
        assembly {
            a := sload(slot)
        }
    }

    function _setImplementation(address impl) internal {
        bytes32 slot = IMPLEMENTATION_SLOT;
        assembly {
            sstore(slot, impl)
        }
        emit Upgraded(impl);
    }

    function _setAdmin(address admin) internal {
        bytes32 slot = ADMIN_SLOT;
        assembly {
            sstore(slot, admin)
        }
    }

    function _delegate(address impl) internal {
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    function _bubble(bytes memory ret) internal pure {
        assembly {
            revert(add(ret, 32), mload(ret))
        }
    }
}
